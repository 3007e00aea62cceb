import type { Server } from 'node:http';
import type { Router } from 'express';
import type { DataKey } from '../keys/data-keys.ts';
import { CallAdmission, type CallLimits } from './call-admission.ts';
import { CallOrchestrator, type CallOrchestratorDeps } from './call-orchestrator.ts';
import { attachMediaSocketServer } from './media-socket-server.ts';
import { StreamTokens } from './stream-tokens.ts';
import { voiceWebhooks } from './voice-webhooks.ts';

/**
 * The AI call path, start to end: the voice webhooks (which answer TwiML with
 * a stream token), the media socket (which accepts only a stream carrying a
 * valid token), and the orchestrator that bridges each accepted stream to a
 * model session. Mounted in one call, so the hop from the socket to the
 * orchestrator is wired here, next to what it connects.
 */

export interface CallPathDeps extends CallOrchestratorDeps {
  /** Twilio's auth token: signs every webhook and the media handshake. */
  readonly authToken: string;
  /** The origin Twilio reaches: signatures are checked against it, stream URLs are built from it. */
  readonly publicBaseUrl: URL;
  /** Sign the stream tokens; the first signs, all verify. */
  readonly dataKeys: readonly DataKey[];
  readonly streamTokenTtlSeconds: number;
  /** Per-caller limits and the bulkhead, checked at the voice webhook; without them every call is taken. */
  readonly callLimits?: CallLimits | undefined;
  /** The operator's voice-ai switch, read for each new call; off: new calls go to the keypad IVR. Without it: on. */
  readonly voiceAiOn?: (() => Promise<boolean>) | undefined;
}

export interface CallPath {
  readonly orchestrator: CallOrchestrator;
  /** Ends every live call (their <Connect action> still answers, from this or another instance) and refuses new streams. */
  close(): void;
}

/** Adds the voice webhooks to `routes` and the media socket to `server`. */
export function mountCallPath(
  target: { readonly routes: Router; readonly server: Server },
  deps: CallPathDeps,
): CallPath {
  const orchestrator = new CallOrchestrator(deps);
  const tokens = new StreamTokens(deps.dataKeys, deps.streamTokenTtlSeconds);
  const admission =
    deps.callLimits === undefined
      ? undefined
      : new CallAdmission({
          ...deps.callLimits,
          calls: deps.calls,
          // Counted by the orchestrator: the calls streaming, and those answered whose stream has not started.
          callsInProgress: () => orchestrator.liveCalls + orchestrator.arrivingCalls,
        });
  target.routes.use(
    voiceWebhooks({
      authToken: deps.authToken,
      publicBaseUrl: deps.publicBaseUrl,
      tokens,
      callOrchestrator: orchestrator,
      calls: deps.calls,
      applications: deps.applications,
      admission,
      metrics: deps.metrics,
      staffLine: deps.staffDesk?.line,
      voiceAiOn: deps.voiceAiOn,
    }),
  );
  const media = attachMediaSocketServer(target.server, {
    publicBaseUrl: deps.publicBaseUrl,
    authToken: deps.authToken,
    tokens,
    logger: deps.logger,
    claimStream: (callSid) => orchestrator.claimStream(callSid),
    onRefused: (reason) => deps.metrics?.socketRefused(reason),
    onStreamStarted: (socket, start, earlier) => {
      orchestrator.streamStarted(socket, start, earlier).catch((error: unknown) => {
        deps.logger.error({ err: error, callSid: start.start.callSid }, 'the media stream could not be bridged');
        socket.terminate();
      });
    },
  });
  return {
    orchestrator,
    close() {
      orchestrator.endAll();
      media.close();
    },
  };
}

import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { ToolOutcome } from '../intake/permit-tools.ts';
import type { ResponseUsage, TranscriptionUsage } from '../realtime/realtime-server-events.ts';
import type { FunctionCall, ItemRole, RealtimeSession, RealtimeSessionError } from '../realtime/realtime-session.ts';
import { payloadDurationMs } from '../protocols/media-stream-messages.ts';
import { PlaybackTracker } from './playback-tracker.ts';
import type { TelephonyStream } from './telephony-stream.ts';

/**
 * One per call: protocol glue between the caller's media stream and the
 * model session. Audio passes through untouched both ways (mu-law); each
 * outbound chunk is followed by a mark so we know what was heard; barge-in
 * clears Twilio's buffer, cancels the response and truncates the model's
 * item at what the caller actually heard. Permit rules and storage are
 * reached only through the two callbacks it is given.
 */

export interface CallBridgeHooks {
  runTool(call: FunctionCall): Promise<ToolOutcome>;
  /** Conversation bookkeeping: where an item sits and what was said. */
  itemAdded(itemId: string, previousItemId: string | undefined, role: ItemRole, offsetMs: number): void;
  callerStarted(itemId: string, offsetMs: number): void;
  said(itemId: string, role: 'caller' | 'agent', text: string, offsetMs: number): void;
  /** `itemId` is the function call's conversation item (its call id when the model gave none). */
  toolRan(itemId: string, summary: string, offsetMs: number): void;
  usage(usage: ResponseUsage): void;
  transcriptionUsage(usage: TranscriptionUsage): void;
  ended(reason: string): void;
  /**
   * A new model session for this call, told where the application stands, when the first one is lost
   * mid-call; rejects if none can be had. Without it a lost session ends the call.
   */
  reconnect?(why: 'lost' | 'renewal'): Promise<{ readonly session: RealtimeSession; readonly ready: Promise<void> }>;
}

/**
 * Hears the call as the caller did, for a recording: every caller payload, every agent delta with the call
 * time it was sent at, and each Twilio `clear` (agent audio queued after that moment was never played).
 * Payloads are Twilio's base64 mu-law; times are the call clock (caller audio received, in ms).
 */
export interface CallRecorder {
  caller(payload: string): void;
  agent(delta: string, atMs: number): void;
  cleared(atMs: number): void;
}

export interface CallBridgeOptions {
  readonly telephony: TelephonyStream;
  readonly session: RealtimeSession;
  readonly hooks: CallBridgeHooks;
  readonly logger: Logger;
  /** Present only when calls are recorded (and announced as such). */
  readonly recorder?: CallRecorder;
  readonly now?: () => number;
  /** How long to wait for the goodbye to be heard after end_call before hanging up regardless. */
  readonly goodbyeTimeoutMs?: number;
  /** A session is replaced this long before the model's limit (session.created's expires_at) ends it. */
  readonly renewBeforeExpiryMs?: number;
}

const DEFAULT_GOODBYE_TIMEOUT_MS = 15_000;
const DEFAULT_RENEW_BEFORE_EXPIRY_MS = 3 * 60_000;
// While the agent is speaking or a tool is running, renewal waits and looks again this often.
const RENEW_RETRY_MS = 500;

export class CallBridge {
  readonly #telephony: TelephonyStream;
  #session: RealtimeSession;
  readonly #hooks: CallBridgeHooks;
  readonly #log: Logger;
  readonly #recorder: CallRecorder | undefined;
  readonly #now: () => number;
  readonly #goodbyeTimeoutMs: number;
  readonly #playback = new PlaybackTracker();
  #callAudioMs = 0;
  readonly #toolsThisResponse: Promise<ToolOutcome>[] = [];
  readonly #agentItemsSeen = new Set<string>();
  #responseActive = false;
  #hangUpWhenHeard = false;
  #goodbyeTimer: NodeJS.Timeout | undefined;
  #renewTimer: NodeJS.Timeout | undefined;
  readonly #renewBeforeExpiryMs: number;
  #ended = false;
  #reconnected = false;
  #reconnecting = false;
  // A new session counts its audio from 0; call time does not restart.
  #sessionStartMs = 0;
  readonly #detachTelephony: () => void;
  #detachSession: () => void = () => undefined;

  constructor(options: CallBridgeOptions) {
    this.#telephony = options.telephony;
    this.#session = options.session;
    this.#hooks = options.hooks;
    this.#log = options.logger;
    this.#recorder = options.recorder;
    this.#now = options.now ?? Date.now;
    this.#goodbyeTimeoutMs = options.goodbyeTimeoutMs ?? DEFAULT_GOODBYE_TIMEOUT_MS;
    this.#renewBeforeExpiryMs = options.renewBeforeExpiryMs ?? DEFAULT_RENEW_BEFORE_EXPIRY_MS;

    const t = this.#telephony;
    this.#detachTelephony = subscribe(t, {
      audio: this.#onCallerAudio,
      mark: this.#onMark,
      ended: this.#onTelephonyEnded,
    });
    this.#attachSession();
    for (const payload of t.takeEarlyAudio()) this.#onCallerAudio(payload);
    if (t.isEnded) this.end('media stream ended before the call was connected');
    else if (!this.#session.isOpen) this.end('model session closed before the call was connected');
  }

  #attachSession(): void {
    this.#detachSession = subscribe(this.#session, {
      audio: this.#onAgentAudio,
      speechStarted: this.#onSpeechStarted,
      itemAdded: this.#onItemAdded,
      callerTranscript: this.#onCallerTranscript,
      agentTranscript: this.#onAgentTranscript,
      functionCall: this.#onFunctionCall,
      responseStarted: this.#onResponseStarted,
      responseDone: this.#onResponseDone,
      transcriptionUsage: this.#onTranscriptionUsage,
      error: this.#onSessionError,
      closed: this.#onSessionClosed,
    });
  }

  /** The agent speaks first, as soon as the model has taken its instructions. */
  greetWhenReady(ready: Promise<void>): void {
    void ready.then(() => {
      if (this.#ended) return;
      this.#session.createResponse();
      this.#scheduleRenewal();
    });
  }

  /** Speaking, thinking, running a tool or saying goodbye: not a moment to change sessions. */
  #agentBusy(): boolean {
    return (
      this.#responseActive ||
      this.#playback.hasUnplayedAudio ||
      this.#toolsThisResponse.length > 0 ||
      this.#hangUpWhenHeard
    );
  }

  /** Models end sessions at a fixed age; a long call moves to a fresh session before that, between turns. */
  #scheduleRenewal(): void {
    clearTimeout(this.#renewTimer);
    const expiresAt = this.#session.expiresAt;
    if (expiresAt === undefined || this.#hooks.reconnect === undefined) return;
    this.#renewTimer = setTimeout(
      () => {
        this.#renew();
      },
      Math.max(0, expiresAt - this.#renewBeforeExpiryMs - this.#now()),
    );
  }

  #renew(): void {
    const hooks = this.#hooks;
    if (this.#ended || this.#reconnecting || hooks.reconnect === undefined) return;
    if (this.#agentBusy()) {
      this.#renewTimer = setTimeout(() => {
        this.#renew();
      }, RENEW_RETRY_MS);
      return;
    }
    const old = this.#session;
    this.#log.info('renewing the model session before its time limit');
    hooks.reconnect('renewal').then(
      ({ session, ready }) => {
        // The old session carries the call until the new one has its instructions and the agent is quiet.
        const swap = (): void => {
          if (this.#ended || this.#session !== old) {
            session.close();
            return;
          }
          if (this.#agentBusy()) {
            this.#renewTimer = setTimeout(swap, RENEW_RETRY_MS);
            return;
          }
          this.#detachSession();
          old.close();
          this.#session = session;
          this.#sessionStartMs = this.#callAudioMs;
          this.#attachSession();
          this.#log.info('model session renewed');
          this.#scheduleRenewal();
        };
        void ready.then(swap);
      },
      (error: unknown) => {
        // The old session goes on until its limit; losing it then takes the reconnect path.
        this.#log.warn({ err: error }, 'could not renew the model session; keeping the current one');
      },
    );
  }

  get isEnded(): boolean {
    return this.#ended;
  }

  /** Ends the call from our side: both sockets close, timers stop. Safe to call more than once. */
  end(reason: string): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#goodbyeTimer);
    clearTimeout(this.#renewTimer);
    this.#detachTelephony();
    this.#detachSession();
    this.#session.close();
    this.#telephony.close(reason);
    this.#hooks.ended(reason);
  }

  /**
   * Call time is the caller audio received so far: Twilio streams it without gaps, and the model's
   * audio_start_ms counts the same audio, so every transcript offset shares one clock.
   */
  #elapsed(): number {
    return Math.round(this.#callAudioMs);
  }

  readonly #onCallerAudio = (payload: string): void => {
    this.#callAudioMs += payloadDurationMs(payload);
    this.#recorder?.caller(payload);
    // While the model is being reconnected nobody listens; the new session asks again for what is missing.
    if (!this.#reconnecting) this.#session.appendAudio(payload);
  };

  readonly #onAgentAudio = (delta: string, itemId: string): void => {
    if (!this.#agentItemsSeen.has(itemId)) {
      this.#agentItemsSeen.add(itemId);
      this.#hooks.itemAdded(itemId, undefined, 'agent', this.#elapsed());
    }
    const mark = this.#playback.sent(itemId, delta, this.#now());
    this.#recorder?.agent(delta, this.#callAudioMs);
    this.#telephony.sendAudio(delta);
    this.#telephony.sendMark(mark);
  };

  readonly #onMark = (name: string): void => {
    this.#playback.marked(name, this.#now());
    if (this.#hangUpWhenHeard && !this.#playback.hasUnplayedAudio) this.end('agent ended the call');
  };

  readonly #onSpeechStarted = (itemId: string, sessionAudioStartMs: number): void => {
    const audioStartMs = this.#sessionStartMs + sessionAudioStartMs;
    this.#hooks.itemAdded(itemId, undefined, 'caller', audioStartMs);
    this.#hooks.callerStarted(itemId, audioStartMs);
    const playing = this.#playback.playingItemId;
    if (playing === undefined) return;
    // Barge-in: the caller talks over the agent. Stop the phone playing, stop the model, and make the
    // model forget the words the caller never heard.
    const heardMs = this.#playback.heardMs(playing, this.#now());
    this.#telephony.clear();
    this.#playback.cleared(this.#now());
    this.#recorder?.cleared(this.#callAudioMs);
    if (this.#responseActive) this.#session.cancelResponse();
    this.#session.truncate(playing, heardMs);
    this.#log.info({ itemId: playing, heardMs }, 'barge-in: agent audio cleared and truncated');
  };

  readonly #onItemAdded = (itemId: string, previousItemId: string | undefined, role: ItemRole): void => {
    if (role === 'agent') this.#agentItemsSeen.add(itemId);
    this.#hooks.itemAdded(itemId, previousItemId, role, this.#elapsed());
  };

  readonly #onCallerTranscript = (itemId: string, text: string): void => {
    this.#hooks.said(itemId, 'caller', text, this.#elapsed());
  };

  readonly #onAgentTranscript = (itemId: string, text: string): void => {
    this.#hooks.said(itemId, 'agent', text, this.#elapsed());
  };

  readonly #onFunctionCall = (call: FunctionCall): void => {
    const offset = this.#elapsed();
    // The tool starts at once, so an answer is saved even if the call drops before the response ends.
    const outcome = this.#hooks.runTool(call).then((result) => {
      this.#session.sendToolResult(call.callId, result.output);
      this.#hooks.toolRan(call.itemId ?? call.callId, `${call.name}: ${result.summary}`, offset);
      return result;
    });
    this.#toolsThisResponse.push(outcome);
  };

  readonly #onResponseStarted = (): void => {
    this.#responseActive = true;
  };

  readonly #onResponseDone = (status: string, usage: ResponseUsage | undefined): void => {
    this.#responseActive = false;
    if (usage !== undefined) this.#hooks.usage(usage);
    const tools = this.#toolsThisResponse.splice(0);
    if (tools.length === 0 || status !== 'completed') return;
    // Ask for the next response only once every tool result is in the conversation
    // (asking earlier is conversation_already_has_active_response or a model answering blind).
    void Promise.all(tools).then(
      (outcomes) => {
        if (this.#ended) return;
        if (outcomes.some((o) => o.endCall)) this.#hangUpAfterGoodbye();
        else this.#session.createResponse();
      },
      (error: unknown) => {
        this.#log.error({ err: error }, 'a permit tool failed');
        this.end('tool failure');
      },
    );
  };

  readonly #onTranscriptionUsage = (usage: TranscriptionUsage): void => {
    this.#hooks.transcriptionUsage(usage);
  };

  readonly #onSessionError = (error: RealtimeSessionError): void => {
    if (error.code === 'response_cancel_not_active') return; // the server already cancelled on speech; harmless
    this.#log.warn({ code: error.code, fatal: error.fatal, message: error.message }, 'realtime model error');
    if (error.fatal) this.#modelLost(`model error ${error.code ?? ''}`.trim());
  };

  readonly #onSessionClosed = (code: number): void => {
    if (!this.#ended) this.#modelLost(`model session closed (${code})`);
  };

  /**
   * The model went away mid-call. Once per call, a new session is opened with the draft as it stands and
   * the agent picks up from what is missing; if that fails (or it already happened once) the call ends and
   * Twilio's <Connect action> tells the caller their answers are kept.
   */
  #modelLost(reason: string): void {
    const hooks = this.#hooks;
    if (hooks.reconnect === undefined || this.#reconnected || this.#hangUpWhenHeard) {
      this.end(reason);
      return;
    }
    this.#reconnected = true;
    this.#reconnecting = true;
    this.#log.warn({ reason }, 'model lost mid-call: reconnecting');
    this.#detachSession();
    this.#session.close();
    // Whatever was playing belonged to the lost response.
    if (this.#playback.hasUnplayedAudio) {
      this.#telephony.clear();
      this.#playback.cleared(this.#now());
      this.#recorder?.cleared(this.#callAudioMs);
    }
    this.#responseActive = false;
    this.#toolsThisResponse.length = 0;
    clearTimeout(this.#renewTimer);
    hooks.reconnect('lost').then(
      ({ session, ready }) => {
        if (this.#ended) {
          session.close();
          return;
        }
        this.#session = session;
        this.#sessionStartMs = this.#callAudioMs;
        this.#reconnecting = false;
        this.#attachSession();
        this.#log.info('model reconnected: the agent continues from the saved answers');
        this.greetWhenReady(ready);
      },
      (error: unknown) => {
        this.#log.error({ err: error }, 'model lost and could not be reconnected');
        this.end(`${reason}; reconnect failed`);
      },
    );
  }

  readonly #onTelephonyEnded = (reason: string): void => {
    this.end(reason);
  };

  #hangUpAfterGoodbye(): void {
    this.#hangUpWhenHeard = true;
    if (!this.#playback.hasUnplayedAudio) {
      this.end('agent ended the call');
      return;
    }
    this.#goodbyeTimer = setTimeout(() => {
      this.end('agent ended the call (goodbye not confirmed by marks)');
    }, this.#goodbyeTimeoutMs);
  }
}

/** Adds each handler to its event and returns the one function that removes them all again. */
function subscribe<Events extends Record<keyof Events, unknown[]>>(
  emitter: Pick<EventEmitter<Events>, 'on' | 'off'>,
  handlers: { readonly [E in keyof Events]?: (...args: Events[E]) => void },
): () => void {
  // Node's typings cannot relate a key to its own handler once they are in a list; the object above did.
  const entries = Object.entries(handlers) as [never, never][];
  for (const [event, handler] of entries) emitter.on(event, handler);
  return () => {
    for (const [event, handler] of entries) emitter.off(event, handler);
  };
}

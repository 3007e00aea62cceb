import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import twilio from 'twilio';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseTwilioFrame, type TwilioStartMessage } from '../protocols/media-stream-messages.ts';
import type { SocketRefusal } from '../ops/service-metrics.ts';
import type { StreamClaim } from '../store/call-repository.ts';
import type { StreamTokens } from './stream-tokens.ts';

/**
 * The /twilio/media WebSocket endpoint. A socket must prove it is Twilio
 * carrying the call it claims: the handshake's X-Twilio-Signature is checked
 * when present, the `start` message must carry the stream token issued
 * for that CallSid within a second, and it must then claim the call's one
 * stream (refused for a second socket, here or on another instance, and
 * once the call is over). Until then no model session is touched.
 */

export const MEDIA_PATH = '/twilio/media';
// RFC 6455: 1007 invalid payload, 1008 policy violation, 1011 an error on our side.
const CLOSE_INVALID_PAYLOAD = 1007;
const CLOSE_POLICY_VIOLATION = 1008;
const CLOSE_INTERNAL_ERROR = 1011;
const DEFAULT_START_TIMEOUT_MS = 1_000;
/**
 * The largest message Twilio sends is `start`: ~500 bytes of fields plus our <Parameter>s, which come from TwiML
 * of at most 4,000 characters (Twilio error 32018). A media frame is ~250 bytes (160 bytes of audio as base64).
 * 8 KiB is twice the largest possible `start` and 30 media frames: a bigger message is not Twilio, and ws closes
 * that socket (1009) before it is buffered whole.
 */
export const MAX_MESSAGE_BYTES = 8 * 1024;
/**
 * The socket is paused while the claim is written, so only what one read had already brought in arrives meanwhile;
 * Twilio sends 50 frames a second. More than this is a flood, not a stream.
 */
const MAX_FRAMES_WHILE_CLAIMING = 500;

export interface MediaSocketServerOptions {
  readonly publicBaseUrl: URL;
  readonly authToken: string;
  readonly tokens: StreamTokens;
  readonly logger: Logger;
  /** Claims the call's one stream (CallRepository.claimStream): only `claimed` goes on. */
  readonly claimStream: (callSid: string) => Promise<StreamClaim>;
  /**
   * Called once per call, for the socket whose start carried a valid token and claimed the stream; it owns the
   * socket from then on. `earlier`: the frames that arrived after `start` while the claim was written, in order.
   */
  readonly onStreamStarted: (socket: WebSocket, start: TwilioStartMessage, earlier: readonly string[]) => void;
  /** Every socket turned away, by why (a bounded reason, for the metrics). */
  readonly onRefused?: (reason: SocketRefusal) => void;
  readonly startTimeoutMs?: number;
}

export interface MediaSocketServer {
  readonly openSockets: () => number;
  close(): void;
}

export function attachMediaSocketServer(server: Server, options: MediaSocketServerOptions): MediaSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const log = options.logger;
  const streamUrls = mediaUrls(options.publicBaseUrl);
  const refused = (reason: SocketRefusal): void => {
    options.onRefused?.(reason);
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== MEDIA_PATH) {
      refused('other');
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    const signature = req.headers['x-twilio-signature'];
    if (
      typeof signature === 'string' &&
      !streamUrls.some((url) => twilio.validateRequest(options.authToken, signature, url, {}))
    ) {
      refused('bad-token');
      log.warn({ security: true, reason: 'bad handshake signature' }, 'media socket refused');
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      awaitStart(ws);
    });
  };

  const awaitStart = (ws: WebSocket) => {
    ws.on('error', (error) => {
      log.warn({ err: error }, 'media socket error before start');
    });
    const refuse = (code: number, reason: string, security: boolean, why: SocketRefusal) => {
      refused(why);
      clearTimeout(timer);
      ws.off('message', onMessage);
      if (security) log.warn({ security: true, reason }, 'media socket refused');
      else log.warn({ reason }, 'media socket closed');
      ws.close(code, reason);
    };
    const timer = setTimeout(() => {
      refuse(CLOSE_POLICY_VIOLATION, 'no valid start in time', true, 'bad-token');
    }, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    const onMessage = (data: Buffer, isBinary: boolean) => {
      const frame = parseTwilioFrame(isBinary ? '' : data.toString());
      if (frame.kind === 'malformed') {
        refuse(CLOSE_INVALID_PAYLOAD, 'malformed frame', false, 'other');
        return;
      }
      if (frame.kind === 'unknown' || frame.message.event === 'connected') return;
      if (frame.message.event !== 'start') {
        refuse(CLOSE_POLICY_VIOLATION, `${frame.message.event} before start`, true, 'other');
        return;
      }
      const start = frame.message;
      const check = options.tokens.check(start.start.customParameters.token, start.start.callSid);
      if (!check.ok) {
        refuse(CLOSE_POLICY_VIOLATION, `stream token ${check.reason}`, true, 'bad-token');
        return;
      }
      clearTimeout(timer);
      ws.off('message', onMessage);
      claimThenStart(ws, start);
    };
    ws.on('message', onMessage);
    ws.on('close', () => {
      clearTimeout(timer);
    });
  };

  /** A valid token is not enough: the call's one stream must still be free, and the call not over. */
  const claimThenStart = (ws: WebSocket, start: TwilioStartMessage) => {
    const callSid = start.start.callSid;
    const earlier: string[] = [];
    // Closing needs the socket read again (the peer's close frame); what arrives after that is dropped.
    const closeUnstarted = (code: number, reason: string) => {
      ws.off('message', keep);
      ws.resume();
      ws.close(code, reason);
    };
    const keep = (data: Buffer, isBinary: boolean) => {
      if (earlier.length < MAX_FRAMES_WHILE_CLAIMING) earlier.push(isBinary ? '' : data.toString());
      else {
        refused('too-many');
        closeUnstarted(CLOSE_POLICY_VIOLATION, 'flood before the stream began');
      }
    };
    ws.on('message', keep);
    ws.pause();
    const handOver = (claim: StreamClaim) => {
      if (claim !== 'claimed') {
        refused(claim);
        log.warn({ security: true, callSid, reason: `stream ${claim}` }, 'media socket refused');
        closeUnstarted(CLOSE_POLICY_VIOLATION, `stream ${claim}`);
        return;
      }
      ws.off('message', keep);
      // Gone while the claim was written: the call's <Connect action> still answers it (with the IVR).
      if (ws.readyState !== ws.OPEN) {
        log.warn({ callSid }, 'media socket closed before its stream could start');
        return;
      }
      options.onStreamStarted(ws, start, earlier);
      ws.resume();
    };
    options.claimStream(callSid).then(handOver, (error: unknown) => {
      refused('other');
      log.error({ err: error, callSid }, 'could not claim the media stream: socket closed');
      closeUnstarted(CLOSE_INTERNAL_ERROR, 'stream could not be claimed');
    });
  };

  server.on('upgrade', onUpgrade);
  return {
    openSockets: () => wss.clients.size,
    close() {
      server.off('upgrade', onUpgrade);
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}

/** Which URL Twilio signs for the handshake is not documented: accept the wss:// and the https:// form. */
function mediaUrls(publicBaseUrl: URL): string[] {
  const https = new URL(MEDIA_PATH, publicBaseUrl);
  const wss = new URL(https);
  wss.protocol = https.protocol === 'https:' ? 'wss:' : 'ws:';
  return [wss.href, https.href];
}

export function mediaStreamUrl(publicBaseUrl: URL): string {
  return mediaUrls(publicBaseUrl)[0] ?? '';
}

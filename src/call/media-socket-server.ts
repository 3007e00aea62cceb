import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import twilio from 'twilio';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseTwilioFrame, type TwilioStartMessage } from '../protocols/media-stream-messages.ts';
import type { StreamTokens } from './stream-tokens.ts';

/**
 * The /twilio/media WebSocket endpoint. A socket must prove it is Twilio
 * carrying the call it claims: the handshake's X-Twilio-Signature is checked
 * when present, and the `start` message must carry the stream token issued
 * for that CallSid within a second. Until then no model session is touched.
 */

export const MEDIA_PATH = '/twilio/media';
// RFC 6455: 1007 invalid payload, 1008 policy violation.
const CLOSE_INVALID_PAYLOAD = 1007;
const CLOSE_POLICY_VIOLATION = 1008;
const DEFAULT_START_TIMEOUT_MS = 1_000;
// A media frame is ~250 bytes of JSON; anything near this is not Twilio.
const MAX_FRAME_BYTES = 64 * 1024;

export interface MediaSocketServerOptions {
  readonly publicBaseUrl: URL;
  readonly authToken: string;
  readonly tokens: StreamTokens;
  readonly logger: Logger;
  /** Called once per socket whose start carried a valid token; it owns the socket from then on. */
  readonly onStreamStarted: (socket: WebSocket, start: TwilioStartMessage) => void;
  readonly startTimeoutMs?: number;
}

export interface MediaSocketServer {
  readonly openSockets: () => number;
  close(): void;
}

export function attachMediaSocketServer(server: Server, options: MediaSocketServerOptions): MediaSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const log = options.logger;
  const streamUrls = mediaUrls(options.publicBaseUrl);

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== MEDIA_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    const signature = req.headers['x-twilio-signature'];
    if (
      typeof signature === 'string' &&
      !streamUrls.some((url) => twilio.validateRequest(options.authToken, signature, url, {}))
    ) {
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
    const refuse = (code: number, reason: string, security: boolean) => {
      clearTimeout(timer);
      ws.off('message', onMessage);
      if (security) log.warn({ security: true, reason }, 'media socket refused');
      else log.warn({ reason }, 'media socket closed');
      ws.close(code, reason);
    };
    const timer = setTimeout(() => {
      refuse(CLOSE_POLICY_VIOLATION, 'no valid start in time', true);
    }, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    const onMessage = (data: Buffer, isBinary: boolean) => {
      const frame = parseTwilioFrame(isBinary ? '' : data.toString());
      if (frame.kind === 'malformed') {
        refuse(CLOSE_INVALID_PAYLOAD, 'malformed frame', false);
        return;
      }
      if (frame.kind === 'unknown' || frame.message.event === 'connected') return;
      if (frame.message.event !== 'start') {
        refuse(CLOSE_POLICY_VIOLATION, `${frame.message.event} before start`, true);
        return;
      }
      const start = frame.message;
      const check = options.tokens.check(start.start.customParameters.token, start.start.callSid);
      if (!check.ok) {
        refuse(CLOSE_POLICY_VIOLATION, `stream token ${check.reason}`, true);
        return;
      }
      clearTimeout(timer);
      ws.off('message', onMessage);
      options.onStreamStarted(ws, start);
    };
    ws.on('message', onMessage);
    ws.on('close', () => {
      clearTimeout(timer);
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

import { STATUS_CODES, type IncomingMessage } from 'node:http';
import { createServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { ConversationItemTruncateEvent } from 'openai/resources/realtime/realtime';
import { pino, type Logger } from 'pino';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { newId, parseClientEvent, type ParsedClientEvent } from './realtime-simulator-protocol.ts';
import { SimulatedRealtimeSession, type ScriptPosition } from './realtime-simulator-session.ts';
import type { LoadedScenario } from './scenario.ts';
import { createLocalCertificate, type LocalCertificate } from './tls-certificate.ts';
import { listen, sameSecret } from './local-server.ts';

/**
 * A local stand-in for the OpenAI Realtime API (GA), for development, demos
 * and tests: a TLS WebSocket server (the openai package only speaks wss:)
 * that answers the events our call bridge sends and plays a scenario. Point
 * the SDK at it with `new OpenAI({ apiKey, baseURL: sim.baseURL })` and trust
 * `sim.ca` (ws option `ca`, or NODE_EXTRA_CA_CERTS).
 */

export interface RealtimeSimulatorOptions {
  readonly scenario: LoadedScenario;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: any free port. */
  readonly port?: number;
  /** When set, upgrades must carry `Authorization: Bearer <apiKey>` or get HTTP 401, like the real API. */
  readonly apiKey?: string;
  /** Deliver each caller transcription this long after the agent's next response started (the API's out-of-order transcripts). Default 0. */
  readonly transcriptionDelayMs?: number;
  /** Audio per response.output_audio.delta. Default 100 ms. */
  readonly audioChunkMs?: number;
  /** Wall-clock pause between audio deltas. Default 5 ms: faster than real time, as the API generates. */
  readonly audioChunkIntervalMs?: number;
  /** Announce sessions this short (expires_at), to test renewal before the limit. */
  readonly sessionLifetimeSeconds?: number;
  /**
   * Each new session continues the scenario where the last one left it, as a model told the
   * conversation so far would (a reconnect mid-call), instead of starting at turn 0. The simulator
   * cannot tell calls apart, so this suits one call at a time; `rewindScript()` starts the next call.
   */
  readonly carryScriptAcrossSessions?: boolean;
  /** Serve this certificate instead of a fresh one (e.g. one already in NODE_EXTRA_CA_CERTS). */
  readonly certificate?: LocalCertificate;
  readonly logger?: Logger;
}

export interface ClientEventRecord {
  /** Which connection sent it, counting from 1. */
  readonly connection: number;
  /** The event's type; '' when the message was not JSON or had none. */
  readonly type: string;
  /** The parsed JSON. input_audio_buffer.append is kept without its audio (see audioBytes) so long demos stay small. */
  readonly event: unknown;
  /** Decoded size of an append's audio. */
  readonly audioBytes?: number;
  /** False when the simulator answered it with an `error` event. */
  readonly accepted: boolean;
}

export interface ToolOutputRecord {
  readonly connection: number;
  readonly callId: string;
  readonly output: string;
}

export interface RealtimeSimulator {
  /** `https://HOST:PORT/v1`: pass as the OpenAI client's baseURL. */
  readonly baseURL: string;
  /** PEM certificate to trust. */
  readonly ca: string;
  /** Every client event of every connection, in arrival order. */
  readonly received: readonly ClientEventRecord[];
  /** Connections accepted so far. */
  readonly connections: number;
  /** Upgrades refused for a wrong or missing API key. */
  readonly refusedConnections: number;
  /** Changes the key upgrades must carry (a key revoked, then a new one issued); undefined accepts any. */
  setApiKey(apiKey: string | undefined): void;
  /** Cuts connection `connection` (1-based) without a closing handshake, as a network failure or a crashed server would. */
  dropConnection(connection: number): void;
  /**
   * Refuses to go on with connection `connection` as the API does when an account's quota runs out mid-call:
   * an `error` event carrying `code` (e.g. insufficient_quota), the socket left open.
   */
  refuseMidCall(connection: number, code: string, message: string): void;
  /** With carryScriptAcrossSessions: the next session starts the scenario from turn 0 (a new call). */
  rewindScript(): void;
  /** Connections still open: a call that ended must leave none behind. */
  readonly openConnections: number;
  truncations(connection?: number): ConversationItemTruncateEvent[];
  toolOutputs(connection?: number): ToolOutputRecord[];
  close(): Promise<void>;
}

export const REALTIME_PATH = '/v1/realtime';
const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_AUDIO_CHUNK_MS = 100;
const DEFAULT_AUDIO_CHUNK_INTERVAL_MS = 5;
const DEFAULT_MODEL = 'gpt-realtime';

export async function startRealtimeSimulator(options: RealtimeSimulatorOptions): Promise<RealtimeSimulator> {
  const certificate = options.certificate ?? (await createLocalCertificate());
  const logger = options.logger ?? pino({ level: 'silent' });
  const received: ClientEventRecord[] = [];
  const sockets = new Set<WebSocket>();
  const byNumber = new Map<number, WebSocket>();
  let connections = 0;
  let refusedConnections = 0;
  let apiKey = options.apiKey;
  const carriedPosition: ScriptPosition = { nextTurn: 0 };

  const server = createServer({ key: certificate.key, cert: certificate.cert }, (request, response) => {
    // Plain HTTP requests get what the API gives them: JSON errors.
    const status = new URL(request.url ?? '/', 'https://localhost').pathname === REALTIME_PATH ? 426 : 404;
    response
      .writeHead(status, { 'content-type': 'application/json' })
      .end(
        errorBody(
          status === 426 ? 'Upgrade to a WebSocket to use this endpoint.' : 'Not found.',
          'invalid_request_error',
          null,
        ),
      );
  });
  // noServer: we answer refused upgrades ourselves, with the API's JSON error bodies and status codes.
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (error) => {
      logger.debug({ err: error }, 'upgrade socket error');
    });
    const url = new URL(request.url ?? '/', 'https://localhost');
    if (url.pathname !== REALTIME_PATH) {
      refuse(socket, 404, errorBody(`Invalid URL (GET ${url.pathname})`, 'invalid_request_error', null));
      return;
    }
    if (apiKey !== undefined && !sameSecret(request.headers.authorization ?? '', `Bearer ${apiKey}`)) {
      refusedConnections += 1;
      refuse(socket, 401, errorBody('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'));
      return;
    }
    const model = url.searchParams.get('model') ?? DEFAULT_MODEL;
    wss.handleUpgrade(request, socket, head, (ws) => {
      connections += 1;
      accept(ws, connections, model);
    });
  });

  function accept(ws: WebSocket, connection: number, model: string): void {
    const log = logger.child({ connection, model });
    sockets.add(ws);
    byNumber.set(connection, ws);
    const session = new SimulatedRealtimeSession({
      scenario: options.scenario,
      model,
      transcriptionDelayMs: options.transcriptionDelayMs ?? 0,
      audioChunkMs: options.audioChunkMs ?? DEFAULT_AUDIO_CHUNK_MS,
      audioChunkIntervalMs: options.audioChunkIntervalMs ?? DEFAULT_AUDIO_CHUNK_INTERVAL_MS,
      ...(options.sessionLifetimeSeconds === undefined
        ? {}
        : { sessionLifetimeSeconds: options.sessionLifetimeSeconds }),
      ...(options.carryScriptAcrossSessions === true ? { position: carriedPosition } : {}),
      logger: log,
      send: (event) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(event));
      },
    });
    ws.on('error', (error) => {
      log.warn({ err: error }, 'simulator socket error');
    });
    ws.on('close', (code) => {
      sockets.delete(ws);
      session.dispose();
      log.info({ code }, 'simulated realtime session closed');
    });
    ws.on('message', (data, isBinary) => {
      const parsed = parseClientEvent(isBinary ? '' : rawText(data));
      received.push(record(connection, parsed));
      if (parsed.kind === 'event') session.handle(parsed.event);
      else session.reject(parsed.error);
    });
    log.info({ scenario: options.scenario.name }, 'simulated realtime session opened');
    session.start();
  }

  const address = await listen(server, options.port ?? 0, options.host ?? DEFAULT_HOST);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;

  return {
    baseURL: `https://${host}:${address.port}/v1`,
    ca: certificate.cert,
    received,
    get connections() {
      return connections;
    },
    get refusedConnections() {
      return refusedConnections;
    },
    setApiKey(key) {
      apiKey = key;
    },
    rewindScript() {
      carriedPosition.nextTurn = 0;
    },
    dropConnection(connection) {
      byNumber.get(connection)?.terminate();
    },
    refuseMidCall(connection, code, message) {
      const ws = byNumber.get(connection);
      if (ws?.readyState !== WebSocket.OPEN) return;
      const error = {
        type: 'error',
        event_id: newId('event'),
        error: { type: code, code, message, param: null, event_id: null },
      };
      ws.send(JSON.stringify(error));
    },
    get openConnections() {
      return sockets.size;
    },
    truncations: (connection) =>
      received
        .filter(
          (entry) =>
            entry.accepted &&
            entry.type === 'conversation.item.truncate' &&
            (connection === undefined || entry.connection === connection),
        )
        .map((entry) => entry.event as ConversationItemTruncateEvent),
    toolOutputs: (connection) =>
      received.flatMap((entry) => {
        if (
          !entry.accepted ||
          entry.type !== 'conversation.item.create' ||
          (connection !== undefined && entry.connection !== connection)
        )
          return [];
        const { item } = entry.event as { item: { type: string; call_id?: string; output?: string } };
        return item.type === 'function_call_output'
          ? [{ connection: entry.connection, callId: item.call_id ?? '', output: item.output ?? '' }]
          : [];
      }),
    close: () => {
      closing ??= (async () => {
        for (const ws of sockets) ws.terminate();
        sockets.clear();
        await new Promise<void>((resolve) => {
          wss.close(() => {
            resolve();
          });
        });
        server.closeAllConnections();
        await new Promise<void>((resolve, reject) => {
          server.close((error) => {
            if (error === undefined) resolve();
            else reject(error);
          });
        });
      })();
      return closing;
    },
  };
}

function record(connection: number, parsed: ParsedClientEvent): ClientEventRecord {
  const accepted = parsed.kind === 'event';
  if (parsed.kind === 'event' && parsed.event.type === 'input_audio_buffer.append') {
    const { audio, ...rest } = parsed.event;
    return { connection, type: parsed.type, event: rest, audioBytes: Buffer.byteLength(audio, 'base64'), accepted };
  }
  return { connection, type: parsed.type, event: parsed.json, accepted };
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function errorBody(message: string, type: string, code: string | null): string {
  return JSON.stringify({ error: { message, type, code, param: null } });
}

function refuse(socket: Duplex, status: number, body: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

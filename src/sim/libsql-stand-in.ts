import Database from 'libsql';
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { pino, type Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { LockReleases, type EngineSettings } from './libsql-remote/engine-stream.ts';
import { HttpStreams } from './libsql-remote/http-streams.ts';
import { describeInvalid, HranaRequestError, pipelineRequestSchema } from './libsql-remote/hrana-messages.ts';
import { serveHranaSocket } from './libsql-remote/ws-session.ts';
import { listen, sameSecret } from './local-server.ts';

/**
 * The libSQL remote stand-in: Turso's protocol (Hrana v2, JSON over HTTP and over a WebSocket) served from
 * one database file through the real libSQL engine, so several processes share one database as they would
 * share Turso (docs/scaling.md, "The database over the network").
 */
export interface LibsqlStandInOptions {
  readonly path: string;
  readonly host?: string;
  readonly port?: number;
  /** When set, every request must carry it (HTTP: `Authorization: Bearer …`; WebSocket: the hello's token). */
  readonly authToken?: string;
  readonly logger?: Logger;
  /** An HTTP stream (and its transaction) not continued for this long is closed. Turso's is 10 s. */
  readonly streamIdleTimeoutMs?: number;
  /** How long a statement waits for another stream's write to finish. */
  readonly busyTimeoutMs?: number;
  /**
   * Tests only: a URL path `/file/<base64url of an absolute file path>/` names another database file, so
   * one stand-in serves every test's fresh database. Turso has one database per URL host instead.
   */
  readonly fileFromPath?: boolean;
}

/** The URL of the database `path` on a stand-in started with `fileFromPath`. */
export function standInFileUrl(standInUrl: string, path: string): string {
  const url = new URL(standInUrl);
  url.pathname = `/file/${Buffer.from(path).toString('base64url')}/`;
  return url.toString();
}

export interface LibsqlStandIn {
  /** What DATABASE_URL says: `libsql://127.0.0.1:PORT?tls=0` (the client speaks HTTP to it). */
  readonly url: string;
  readonly httpUrl: string;
  readonly wsUrl: string;
  /** HTTP streams open now (each holds a connection): for tests that check nothing is left behind. */
  readonly openHttpStreams: number;
  close(): Promise<void>;
}

interface ServedDatabase {
  readonly settings: EngineSettings;
  readonly httpStreams: HttpStreams;
}

const DEFAULT_HOST = '127.0.0.1';
const STREAM_IDLE_TIMEOUT_MS = 10_000;
const BUSY_TIMEOUT_MS = 5_000;
// A pipeline carries SQL and its arguments; recordings are not stored in the database.
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export async function startLibsqlStandIn(options: LibsqlStandInOptions): Promise<LibsqlStandIn> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const databases = new Map<string, ServedDatabase>();
  const databaseAt = (path: string): ServedDatabase => {
    let database = databases.get(path);
    if (database === undefined) {
      prepareFile(path);
      const settings = {
        path,
        busyTimeoutMs: options.busyTimeoutMs ?? BUSY_TIMEOUT_MS,
        lockReleases: new LockReleases(),
      };
      database = {
        settings,
        httpStreams: new HttpStreams(settings, options.streamIdleTimeoutMs ?? STREAM_IDLE_TIMEOUT_MS, logger),
      };
      databases.set(path, database);
    }
    return database;
  };
  databaseAt(options.path);
  /** The database a request's path names, and the path left for the protocol. */
  const route = (rawUrl: string | undefined): { database: ServedDatabase; path: string } => {
    const path = new URL(rawUrl ?? '/', 'http://localhost').pathname;
    const named = options.fileFromPath === true ? /^\/file\/([A-Za-z0-9_-]+)(\/.*)$/.exec(path) : null;
    if (named?.[1] === undefined || named[2] === undefined) return { database: databaseAt(options.path), path };
    return { database: databaseAt(Buffer.from(named[1], 'base64url').toString('utf8')), path: named[2] };
  };
  const sockets = new Set<WebSocket>();

  const authorized = (request: IncomingMessage): boolean =>
    options.authToken === undefined || sameSecret(request.headers.authorization ?? '', `Bearer ${options.authToken}`);

  const server = createServer((request, response) => {
    handleHttp(request, response).catch((error: unknown) => {
      logger.error({ err: error }, 'libSQL stand-in request failed');
      if (!response.headersSent)
        sendJson(response, 500, { message: 'The stand-in failed; see its log', code: 'SERVER_ERROR' });
      else response.destroy();
    });
  });

  async function handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { database, path } = route(request.url);
    if (request.method === 'GET' && (path === '/' || path === '/health')) {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('libSQL stand-in\n');
      return;
    }
    if (!authorized(request)) {
      sendJson(response, 401, {
        message: 'Authentication required: send the database token as Bearer',
        code: 'AUTH_FAILED',
      });
      return;
    }
    // The client probes versions with GET; this stand-in speaks v2 (JSON), which @libsql/client uses by default.
    if (request.method === 'GET' && path === '/v2') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('Hrana v2\n');
      return;
    }
    if (request.method !== 'POST' || path !== '/v2/pipeline') {
      sendJson(response, 404, {
        message: `No such endpoint: ${request.method ?? ''} ${path} (this stand-in serves POST /v2/pipeline)`,
      });
      return;
    }
    const body = await readBody(request);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      sendJson(response, 400, { message: 'The pipeline body must be JSON', code: 'HRANA_PROTO_ERROR' });
      return;
    }
    const parsed = pipelineRequestSchema.safeParse(json);
    if (!parsed.success) {
      sendJson(response, 400, {
        message: `Invalid pipeline request: ${describeInvalid(parsed.error)}`,
        code: 'HRANA_PROTO_ERROR',
      });
      return;
    }
    try {
      sendJson(response, 200, await database.httpStreams.pipeline(parsed.data));
    } catch (error) {
      if (!(error instanceof HranaRequestError)) throw error;
      sendJson(response, 400, { message: error.message, code: error.code });
    }
  }

  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: MAX_BODY_BYTES,
    handleProtocols: (protocols) => (protocols.has('hrana2') ? 'hrana2' : protocols.has('hrana1') ? 'hrana1' : false),
  });
  server.on('upgrade', (request: IncomingMessage, socket, head: Buffer) => {
    socket.on('error', (error) => {
      logger.debug({ err: error }, 'upgrade socket error');
    });
    const { database } = route(request.url);
    wss.handleUpgrade(request, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('error', (error) => {
        logger.debug({ err: error }, 'Hrana WebSocket error');
      });
      serveHranaSocket(ws, database.settings, options.authToken, logger);
    });
  });

  const address = await listen(server, options.port ?? 0, options.host ?? DEFAULT_HOST);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  logger.info({ path: options.path, port: address.port }, 'libSQL stand-in listening');

  return {
    url: `libsql://${host}:${address.port}?tls=0`,
    httpUrl: `http://${host}:${address.port}`,
    wsUrl: `ws://${host}:${address.port}`,
    get openHttpStreams() {
      return [...databases.values()].reduce((sum, database) => sum + database.httpStreams.openStreams, 0);
    },
    close() {
      closing ??= (async () => {
        for (const ws of sockets) ws.terminate();
        server.closeAllConnections();
        await new Promise<void>((resolve) =>
          server.close(() => {
            resolve();
          }),
        );
        await Promise.all([...databases.values()].map((database) => database.httpStreams.closeAll()));
      })();
      return closing;
    },
  };
}

/** WAL, so readers on other streams are not blocked by a writer, as on Turso. */
function prepareFile(path: string): void {
  // The path is the operator's --file or a test's temp file, not user input.
  // eslint-disable-next-line security/detect-non-literal-fs-filename
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HranaRequestError('The pipeline body is too large', 'HRANA_PROTO_ERROR');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const USAGE =
  'usage: npm run sim:libsql -- --file data/cluster.db [--port 8080] [--host 127.0.0.1] [--auth-token TOKEN]';

if (import.meta.main) {
  try {
    const { values } = parseArgs({
      options: {
        file: { type: 'string' },
        port: { type: 'string', default: '0' },
        host: { type: 'string', default: DEFAULT_HOST },
        'auth-token': { type: 'string' },
      },
    });
    if (values.file === undefined) throw new Error(`--file is required\n${USAGE}`);
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port must be a port number\n${USAGE}`);
    const standIn = await startLibsqlStandIn({
      path: values.file,
      host: values.host,
      port,
      ...(values['auth-token'] === undefined ? {} : { authToken: values['auth-token'] }),
      logger: pino({ level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2)),
    });
    process.stdout.write(`libSQL stand-in serving ${values.file}\nDATABASE_URL=${standIn.url}\n`);
    const stop = (): void => {
      void standIn.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (error) {
    process.stderr.write(`sim:libsql: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { listenOn } from './listen.ts';

/**
 * GET /metrics for Prometheus, on a listener of its own (METRICS_PORT) and
 * never on the public port: the public app has no route for it, so a scrape
 * of the public address is a 404 like any unknown page. With a bearer token
 * (METRICS_TOKEN) a scrape must present it; Prometheus's `authorization`
 * setting sends it. Nothing else is served here.
 */

export interface MetricsEndpointSettings {
  readonly port: number;
  readonly host: string;
  readonly bearerToken: string | undefined;
}

export interface MetricsEndpoint {
  /** http://host:port/metrics, with the port actually bound (METRICS_PORT=0 in tests). */
  readonly url: string;
  close(): Promise<void>;
}

const METRICS_PATH = '/metrics';

export async function startMetricsEndpoint(
  registry: Registry,
  settings: MetricsEndpointSettings,
  logger: Logger,
): Promise<MetricsEndpoint> {
  const authorized = bearerCheck(settings.bearerToken);
  const server = createServer((req, res) => {
    void answer(req, res);
  });
  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== METRICS_PATH || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: this listener serves GET /metrics only.\n');
      return;
    }
    if (!authorized(req.headers.authorization)) {
      res
        .writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="metrics"' })
        .end('A bearer token is required (METRICS_TOKEN).\n');
      return;
    }
    try {
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType }).end(req.method === 'HEAD' ? undefined : body);
    } catch (error) {
      logger.error({ err: error }, 'metrics scrape failed');
      res.writeHead(500, { 'content-type': 'text/plain' }).end('The metrics could not be collected.\n');
    }
  };
  // A scraper that hangs up or sends garbage affects only its own connection.
  server.on('clientError', (_error, socket) => {
    socket.destroy();
  });
  await listenOn(server, settings.port, settings.host, 'METRICS_PORT');
  const { port } = server.address() as AddressInfo;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const url = `http://${settings.host === '0.0.0.0' ? '127.0.0.1' : host}:${port}${METRICS_PATH}`;
  logger.info({ url, bearerToken: settings.bearerToken !== undefined }, 'metrics listener started');
  return {
    url,
    async close() {
      server.closeIdleConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}

/**
 * Whether an Authorization header carries the token. Both sides are hashed first so the comparison takes the same
 * time whatever the length or content of what was sent.
 */
export function bearerCheck(required: string | undefined): (header: string | undefined) => boolean {
  if (required === undefined) return () => true;
  const expected = digest(required);
  return (header) => {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
    const presented = digest(match?.[1] ?? '');
    return timingSafeEqual(presented, expected) && match !== null;
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

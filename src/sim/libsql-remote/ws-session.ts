import type { Logger } from 'pino';
import { WebSocket, type RawData } from 'ws';
import { EngineStream, toHranaError, type EngineSettings } from './engine-stream.ts';
import {
  describeInvalid,
  HranaRequestError,
  wsClientMessageSchema,
  type StreamResponse,
  type WsRequest,
} from './hrana-messages.ts';
import { sameSecret } from '../local-server.ts';

type WsResponse = StreamResponse | { type: 'open_stream' } | { type: 'close_stream' };

/**
 * One WebSocket client: it says hello (with its token) first, then opens numbered streams and sends
 * numbered requests; answers may come back out of order, each tagged with its request's id. Stored SQL
 * belongs to the connection, so every stream on it can use it.
 */
export function serveHranaSocket(
  ws: WebSocket,
  settings: EngineSettings,
  authToken: string | undefined,
  log: Logger,
): void {
  const streams = new Map<number, EngineStream>();
  const storedSql = new Map<number, string>();
  let greeted = false;

  const send = (message: unknown): void => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
  };
  const fail = (message: string): void => {
    log.warn({ reason: message }, 'Hrana WebSocket client broke the protocol; closing');
    ws.close(1002, message.slice(0, 120));
  };

  ws.on('message', (data: RawData, isBinary) => {
    let json: unknown;
    try {
      json = JSON.parse(isBinary ? '' : rawText(data));
    } catch {
      fail('messages must be JSON text');
      return;
    }
    const parsed = wsClientMessageSchema.safeParse(json);
    if (!parsed.success) {
      fail(`invalid message: ${describeInvalid(parsed.error)}`);
      return;
    }
    const message = parsed.data;
    if (message.type === 'hello') {
      if (authToken !== undefined && !sameSecret(message.jwt ?? '', authToken)) {
        send({
          type: 'hello_error',
          error: { message: 'Authentication failed: the token is missing or wrong', code: 'AUTH_FAILED' },
        });
        ws.close(1008, 'authentication failed');
        return;
      }
      greeted = true;
      send({ type: 'hello_ok' });
      return;
    }
    if (!greeted) {
      fail('the first message must be hello');
      return;
    }
    const requestId = message.request_id;
    answer(message.request).then(
      (response) => {
        send({ type: 'response_ok', request_id: requestId, response });
      },
      (error: unknown) => {
        send({ type: 'response_error', request_id: requestId, error: toHranaError(error) });
      },
    );
  });

  ws.on('close', () => {
    for (const stream of streams.values()) void stream.close();
    streams.clear();
  });

  async function answer(request: WsRequest): Promise<WsResponse> {
    switch (request.type) {
      case 'open_stream':
        if (streams.has(request.stream_id))
          throw new HranaRequestError(`Stream ${request.stream_id} is already open`, 'HRANA_PROTO_ERROR');
        streams.set(request.stream_id, new EngineStream(settings, storedSql));
        return { type: 'open_stream' };
      case 'close_stream': {
        const stream = streams.get(request.stream_id);
        streams.delete(request.stream_id);
        await stream?.close();
        return { type: 'close_stream' };
      }
      case 'store_sql':
        storedSql.set(request.sql_id, request.sql);
        return { type: 'store_sql' };
      case 'close_sql':
        storedSql.delete(request.sql_id);
        return { type: 'close_sql' };
      default: {
        const stream = streams.get(request.stream_id);
        if (stream === undefined)
          throw new HranaRequestError(`Stream ${request.stream_id} is not open`, 'STREAM_CLOSED');
        return stream.handle(request);
      }
    }
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

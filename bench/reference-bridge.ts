import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { WebSocket, WebSocketServer } from 'ws';

/**
 * The reference passthrough for issue 16's side-by-side bench: the bridge a
 * department might write instead of PermitLine, kept naive on purpose. A
 * webhook answering fixed TwiML, a `ws` server for Twilio's media stream, and
 * per call one `ws` client to the model with the library's defaults; one
 * JSON.parse and one JSON.stringify per message, no validation, no storage, no
 * signatures, no limits. It runs as a process of its own (`node
 * bench/reference-bridge.ts --port P --model-url wss://…/v1/realtime`, the
 * model's CA in NODE_EXTRA_CA_CERTS) so that its CPU and memory are read apart
 * from the bench's, as the service's are.
 *
 * Caller audio that arrives before the model socket is open is dropped, as
 * such a bridge does; the bench counts it among the frames lost early.
 *
 * `npm run bench` measures it and the service alternately and sets them side
 * by side; `--target reference` measures it alone.
 */

const MEDIA_PATH = '/media-stream';
const MARK_NAME = 'agent';
// --bare: the floor, a bridge that does no JSON at all. It finds the audio by its place in the text the bench's
// callers and model stand-in write and splices it into the text it sends: what is left is ws and TLS alone.
const MEDIA_EVENT = '{"event":"media",';
const PAYLOAD_KEY = '"payload":"';
const DELTA_TYPE = '"type":"response.output_audio.delta"';
const DELTA_KEY = '"delta":"';
const APPEND_HEAD = '{"type":"input_audio_buffer.append","audio":"';

interface TwilioMessage {
  event?: string;
  start?: { streamSid?: string };
  media?: { payload?: string };
}

interface ModelMessage {
  type?: string;
  delta?: string;
}

export interface ReferenceBridge {
  readonly url: string;
  close(): Promise<void>;
}

/** The quoted string value that starts right after `key` in `text`, or undefined. */
function valueAfter(text: string, key: string): string | undefined {
  const start = text.indexOf(key);
  if (start < 0) return undefined;
  const from = start + key.length;
  const end = text.indexOf('"', from);
  return end < 0 ? undefined : text.slice(from, end);
}

export async function startReferenceBridge(options: {
  port: number;
  modelUrl: string;
  bare?: boolean;
}): Promise<ReferenceBridge> {
  const bare = options.bare === true;
  let origin = '';
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST' && req.url?.startsWith('/twilio/voice') === true) {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'text/xml' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="${origin.replace(/^http/, 'ws')}${MEDIA_PATH}"/></Connect></Response>`,
      );
      return;
    }
    // Only so that the bench starts it as it starts the service (it waits for readiness).
    if (req.url === '/health/ready') {
      res.writeHead(200).end();
      return;
    }
    res.writeHead(404).end();
  });
  const media = new WebSocketServer({ server, path: MEDIA_PATH });
  media.on('connection', (caller) => {
    let streamSid = '';
    let model: WebSocket | undefined;
    caller.on('message', (data: Buffer) => {
      const text = data.toString();
      if (bare && text.startsWith(MEDIA_EVENT)) {
        const payload = valueAfter(text, PAYLOAD_KEY);
        if (payload !== undefined && model?.readyState === WebSocket.OPEN) model.send(`${APPEND_HEAD}${payload}"}`);
        return;
      }
      const message = JSON.parse(text) as TwilioMessage;
      if (message.event === 'start') {
        streamSid = message.start?.streamSid ?? '';
        const sid = JSON.stringify(streamSid);
        model = connectModel(options.modelUrl, bare, (delta) => {
          if (bare) {
            caller.send(`{"event":"media","streamSid":${sid},"media":{"payload":"${delta}"}}`);
            caller.send(`{"event":"mark","streamSid":${sid},"mark":{"name":"${MARK_NAME}"}}`);
            return;
          }
          caller.send(JSON.stringify({ event: 'media', streamSid, media: { payload: delta } }));
          caller.send(JSON.stringify({ event: 'mark', streamSid, mark: { name: MARK_NAME } }));
        });
      } else if (message.event === 'media' && model?.readyState === WebSocket.OPEN) {
        model.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: message.media?.payload }));
      } else if (message.event === 'stop') {
        model?.close();
      }
    });
    caller.on('close', () => model?.close());
  });
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of media.clients) client.terminate();
        media.close();
        server.close(() => {
          resolve();
        });
      }),
  };
}

function connectModel(url: string, bare: boolean, onDelta: (delta: string) => void): WebSocket {
  const model = new WebSocket(`${url}?model=gpt-realtime`, { headers: { Authorization: 'Bearer reference-bridge' } });
  model.on('open', () => {
    model.send(
      JSON.stringify({
        type: 'session.update',
        session: {
          type: 'realtime',
          audio: { input: { format: { type: 'audio/pcmu' } }, output: { format: { type: 'audio/pcmu' } } },
        },
      }),
    );
    model.send(JSON.stringify({ type: 'response.create' }));
  });
  model.on('message', (data: Buffer) => {
    const text = data.toString();
    if (bare) {
      const delta = text.includes(DELTA_TYPE) ? valueAfter(text, DELTA_KEY) : undefined;
      if (delta !== undefined) onDelta(delta);
      return;
    }
    const message = JSON.parse(text) as ModelMessage;
    if (message.type === 'response.output_audio.delta' && message.delta !== undefined) onDelta(message.delta);
  });
  model.on('error', () => {
    // The naive bridge drops the call's model side on an error, as the public samples do.
  });
  return model;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, 'model-url': { type: 'string' }, bare: { type: 'boolean', default: false } },
  });
  const port = Number(values.port ?? '0');
  if (values['model-url'] === undefined || !Number.isInteger(port)) {
    process.stderr.write(
      'Usage: node bench/reference-bridge.ts --port P --model-url wss://127.0.0.1:Q/v1/realtime [--bare]\n',
    );
    process.exit(2);
  }
  const bridge = await startReferenceBridge({ port, modelUrl: values['model-url'], bare: values.bare });
  process.stdout.write(`reference bridge listening at ${bridge.url}\n`);
  process.once('SIGTERM', () => {
    void bridge.close().then(() => process.exit(0));
  });
}

import { once } from 'node:events';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LocalCertificate } from '../src/sim/tls-certificate.ts';
import { MULAW_BYTES_PER_MS } from '../src/protocols/media-stream-messages.ts';
import type { BargeInLedger } from './barge-in-ledger.ts';
import { readStamp, StampedPayload } from './frame-stamp.ts';
import type { DirectionLedger } from './stream-ledger.ts';

/**
 * The model's side of the bench: a bare Realtime API stand-in over TLS (the
 * openai package only dials wss:). It accepts any session, and from the
 * first `response.create` it speaks for the whole call: the first stamped
 * `response.output_audio.delta` at once (so that first agent audio measures
 * the bridge, not the stand-in), then one every `deltaMs`, at real-time pace,
 * the way a long answer arrives once the model has caught up with itself.
 * Every `input_audio_buffer.append` is read for its stamp. No scenario, no
 * VAD, no tools: the bench measures forwarding, not conversation, except in
 * the barge-in run (`bargeIn`), where it plays a caller talking over the agent
 * every so often.
 */

export const REALTIME_PATH = '/v1/realtime';
const HOST = '127.0.0.1';
const GOLDEN_RATIO_FRACTION = 0.618_033_988_75;

export interface BenchModelServerOptions {
  readonly certificate: LocalCertificate;
  /** Audio per delta, and the wall-clock interval between deltas (real time). */
  readonly deltaMs: number;
  /** Caller → model: appends are received here. */
  readonly inbound: DirectionLedger;
  /** Model → caller: deltas are sent from here. */
  readonly outbound: DirectionLedger;
  /** The barge-in run: while speaking, every `everyMs` a speech_started, and `pauseMs` later a new response. */
  readonly bargeIn?: { readonly everyMs: number; readonly pauseMs: number; readonly ledger: BargeInLedger };
}

export interface BenchModelServer {
  /** `https://127.0.0.1:PORT/v1`, for OPENAI_BASE_URL. */
  readonly baseURL: string;
  readonly connections: number;
  readonly openConnections: number;
  /** Client events the stand-in did not expect, by type (e.g. a truncate would mean a barge-in the bench never asked for). */
  readonly unexpectedEvents: ReadonlyMap<string, number>;
  /** Ends the response of the session that carries `callIndex`'s audio; false if no append from that call has arrived. */
  stopSpeakingTo(callIndex: number): boolean;
  close(): Promise<void>;
}

interface Connection {
  readonly id: number;
  readonly ws: WebSocket;
  readonly payload: StampedPayload;
  callIndex: number | undefined;
  responseId: string | undefined;
  itemId: string | undefined;
  timer: NodeJS.Timeout | undefined;
  bargeTimer: NodeJS.Timeout | undefined;
  responses: number;
  /** When the session opened, for audio_start_ms (the session's own audio clock). */
  readonly openedAt: number;
  sequence: number;
  startedAt: number;
}

/** How the openai package serializes an append (JSON.stringify of { type, audio }); anything else takes the JSON.parse path. */
const APPEND_PREFIX = '{"type":"input_audio_buffer.append","audio":"';
const STAMP_HEADER_CHARS = 24;
const IGNORED_CLIENT_EVENTS = new Set(['session.update', 'input_audio_buffer.append', 'response.create']);
/** What the service answers a barge-in with: expected in the barge-in run only. */
const BARGE_IN_CLIENT_EVENTS = new Set(['response.cancel', 'conversation.item.truncate']);

export async function startBenchModelServer(options: BenchModelServerOptions): Promise<BenchModelServer> {
  const deltaBytes = options.deltaMs * MULAW_BYTES_PER_MS;
  const server = createServer({ key: options.certificate.key, cert: options.certificate.cert });
  const wss = new WebSocketServer({ server, path: REALTIME_PATH, perMessageDeflate: false, skipUTF8Validation: true });
  const byCall = new Map<number, Connection>();
  const open = new Set<Connection>();
  const unexpectedEvents = new Map<string, number>();
  let connections = 0;
  let eventCounter = 0;
  const eventId = (): string => `event_bench_${++eventCounter}`;

  const send = (c: Connection, event: Record<string, unknown>): void => {
    if (c.ws.readyState === c.ws.OPEN) c.ws.send(JSON.stringify({ event_id: eventId(), ...event }));
  };

  const speak = (c: Connection): void => {
    c.timer = undefined;
    const now = performance.now();
    // Drift-free: delta k is due at startedAt + k·deltaMs; a late timer sends what is overdue at once.
    while (c.startedAt + c.sequence * options.deltaMs <= now) {
      if (c.ws.readyState !== c.ws.OPEN) return;
      const sequence = c.sequence++;
      send(c, {
        type: 'response.output_audio.delta',
        response_id: c.responseId,
        item_id: c.itemId,
        output_index: 0,
        content_index: 0,
        delta: c.payload.stamp(sequence).toString('base64'),
      });
      options.outbound.sent(c.id);
    }
    c.timer = setTimeout(speak, Math.max(0, c.startedAt + c.sequence * options.deltaMs - performance.now()), c);
  };

  const startResponse = (c: Connection): void => {
    if (c.responseId !== undefined) return;
    openResponse(c);
    // The first delta at once, the rest at a phase of the session's own: sessions that all started on the same beat
    // would send every delta at the same instant (see framePhaseMs in bridge-bench.ts).
    c.startedAt = performance.now() + ((c.id * GOLDEN_RATIO_FRACTION) % 1) * options.deltaMs - options.deltaMs;
    speak(c);
    scheduleBargeIn(c);
  };

  /** response.created and output_item.added of a new response with a new item: its deltas go out from `speak`. */
  const openResponse = (c: Connection): void => {
    c.responses += 1;
    c.responseId = `resp_bench_${c.id}_${c.responses}`;
    c.itemId = `item_bench_${c.id}_${c.responses}`;
    send(c, {
      type: 'response.created',
      response: { id: c.responseId, object: 'realtime.response', status: 'in_progress', output: [] },
    });
    send(c, {
      type: 'response.output_item.added',
      response_id: c.responseId,
      output_index: 0,
      item: {
        id: c.itemId,
        object: 'realtime.item',
        type: 'message',
        role: 'assistant',
        status: 'in_progress',
        content: [],
      },
    });
  };

  const scheduleBargeIn = (c: Connection): void => {
    const plan = options.bargeIn;
    if (plan === undefined) return;
    c.bargeTimer = setTimeout(() => {
      bargeIn(c, plan);
    }, plan.everyMs);
  };

  /**
   * The caller talks over the agent: the model stops speaking and says so. The service is to clear Twilio's buffer
   * and cancel and truncate the response; then the caller stops, and the model answers with a new response whose
   * deltas carry on the same stamped sequence (the ledger sees no gap).
   */
  const bargeIn = (c: Connection, plan: NonNullable<BenchModelServerOptions['bargeIn']>): void => {
    c.bargeTimer = undefined;
    if (c.callIndex === undefined || c.timer === undefined || c.ws.readyState !== c.ws.OPEN) return;
    clearTimeout(c.timer);
    c.timer = undefined;
    const callerItem = `item_caller_${c.id}_${c.responses}`;
    const audioStartMs = Math.round(performance.now() - c.openedAt);
    plan.ledger.speechStarted(c.callIndex, process.hrtime.bigint());
    send(c, { type: 'input_audio_buffer.speech_started', item_id: callerItem, audio_start_ms: audioStartMs });
    c.bargeTimer = setTimeout(() => {
      c.bargeTimer = undefined;
      if (c.ws.readyState !== c.ws.OPEN || c.responseId === undefined) return;
      send(c, {
        type: 'input_audio_buffer.speech_stopped',
        item_id: callerItem,
        audio_end_ms: Math.round(performance.now() - c.openedAt),
      });
      openResponse(c);
      c.startedAt = performance.now() - c.sequence * options.deltaMs;
      speak(c);
      scheduleBargeIn(c);
    }, plan.pauseMs);
  };

  const onBargeInAnswer = (c: Connection, type: string, receivedNs: bigint): void => {
    if (type === 'conversation.item.truncate' && c.callIndex !== undefined)
      options.bargeIn?.ledger.truncated(c.callIndex, receivedNs);
    // As the API does: a cancelled response ends with response.done, status cancelled.
    if (type === 'response.cancel' && c.responseId !== undefined)
      send(c, {
        type: 'response.done',
        response: { id: c.responseId, object: 'realtime.response', status: 'cancelled', output: [] },
      });
  };

  const endResponse = (c: Connection): void => {
    clearTimeout(c.timer);
    clearTimeout(c.bargeTimer);
    c.timer = undefined;
    c.bargeTimer = undefined;
    if (c.responseId === undefined) return;
    send(c, {
      type: 'response.output_audio.done',
      response_id: c.responseId,
      item_id: c.itemId,
      output_index: 0,
      content_index: 0,
    });
    send(c, {
      type: 'response.done',
      response: { id: c.responseId, object: 'realtime.response', status: 'completed', output: [] },
    });
  };

  const onAppend = (c: Connection, audio: unknown): void => {
    const receivedNs = process.hrtime.bigint();
    if (typeof audio !== 'string') return;
    const stamp = readStamp(audio);
    if (stamp === undefined) return;
    if (c.callIndex === undefined) {
      c.callIndex = stamp.streamId;
      byCall.set(stamp.streamId, c);
    }
    options.inbound.received(c.id, stamp, receivedNs);
  };

  const onMessage = (c: Connection, data: Buffer): void => {
    const receivedNs = process.hrtime.bigint();
    // Fast path for the one message that comes 50 times a second per call: read the stamp without parsing the JSON.
    if (data.length > APPEND_PREFIX.length && data.toString('latin1', 0, APPEND_PREFIX.length) === APPEND_PREFIX) {
      onAppend(c, data.toString('latin1', APPEND_PREFIX.length, APPEND_PREFIX.length + STAMP_HEADER_CHARS));
      return;
    }
    const event = JSON.parse(data.toString()) as { type?: unknown; audio?: unknown; session?: unknown };
    switch (event.type) {
      case 'input_audio_buffer.append':
        onAppend(c, event.audio);
        return;
      case 'session.update':
        send(c, { type: 'session.updated', session: event.session });
        return;
      case 'response.create':
        startResponse(c);
        return;
      default: {
        const type = typeof event.type === 'string' ? event.type : '(no type)';
        if (options.bargeIn !== undefined && BARGE_IN_CLIENT_EVENTS.has(type)) onBargeInAnswer(c, type, receivedNs);
        else if (!IGNORED_CLIENT_EVENTS.has(type)) unexpectedEvents.set(type, (unexpectedEvents.get(type) ?? 0) + 1);
      }
    }
  };

  wss.on('connection', (ws) => {
    connections += 1;
    const c: Connection = {
      id: connections,
      ws,
      payload: new StampedPayload(connections, deltaBytes),
      callIndex: undefined,
      responseId: undefined,
      itemId: undefined,
      timer: undefined,
      bargeTimer: undefined,
      responses: 0,
      openedAt: performance.now(),
      sequence: 0,
      startedAt: 0,
    };
    open.add(c);
    ws.on('message', (data: Buffer) => {
      onMessage(c, data);
    });
    ws.on('error', () => {
      /* the close that follows is what matters; the service side reports its own errors */
    });
    ws.on('close', () => {
      clearTimeout(c.timer);
      clearTimeout(c.bargeTimer);
      open.delete(c);
      if (c.callIndex !== undefined && byCall.get(c.callIndex) === c) byCall.delete(c.callIndex);
    });
    send(c, {
      type: 'session.created',
      session: {
        type: 'realtime',
        id: `sess_bench_${c.id}`,
        object: 'realtime.session',
        model: 'gpt-realtime',
        expires_at: Math.floor(Date.now() / 1000) + 3600,
      },
    });
  });

  server.listen(0, HOST);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `https://${HOST}:${port}/v1`,
    get connections() {
      return connections;
    },
    get openConnections() {
      return open.size;
    },
    unexpectedEvents,
    stopSpeakingTo(callIndex) {
      const c = byCall.get(callIndex);
      if (c === undefined) return false;
      endResponse(c);
      return true;
    },
    async close() {
      for (const c of open) {
        clearTimeout(c.timer);
        clearTimeout(c.bargeTimer);
        c.ws.terminate();
      }
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import express from 'express';
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  ServiceUnreachableError,
  simulateCall,
  type CallEvent,
  type CallResult,
  type SimulateCallOptions,
} from '../../src/sim/call-simulator.ts';
import { scenarioSchema, type LoadedScenario } from '../../src/sim/scenario.ts';
import {
  FRAME_BYTES,
  FRAME_MS,
  MULAW_BYTES_PER_MS,
  MULAW_SILENCE,
  parseTwilioFrame,
  type TwilioMediaMessage,
  type TwilioMessage,
} from '../../src/protocols/media-stream-messages.ts';

/**
 * The call simulator against a tiny fake PermitLine: express and a `ws`
 * server on one port, checking signatures as the real service must, and
 * playing scripted agent behaviour on the media socket.
 */

const AUTH_TOKEN = 'test-auth-token-for-the-fake-service';
// Not reachable: the simulator must sign for this origin and still send everything to 127.0.0.1.
const PUBLIC_BASE = 'https://permits.example.test';
const STREAM_TOKEN = 'stream-token-1234';
const CALLER_NUMBER = '+12125550142';
const AGENT_BYTE = 0x55;
const WAIT_MS = 5_000;

const tone = (ms: number): Buffer =>
  Buffer.from(Array.from({ length: ms * MULAW_BYTES_PER_MS }, (_, i) => (i % 2 === 0 ? 0x20 : 0xa0)));
const agentAudio = (ms: number): Buffer => Buffer.alloc(ms * MULAW_BYTES_PER_MS, AGENT_BYTE);
const payloadOf = (frame: TwilioMediaMessage): Buffer => Buffer.from(frame.media.payload, 'base64');
const isSpeech = (frame: TwilioMediaMessage): boolean => payloadOf(frame).some((byte) => byte !== MULAW_SILENCE);

function testScenario(turns: unknown[], audio: Record<string, Buffer>): LoadedScenario {
  const scenario = scenarioSchema.parse({
    name: 'test-call',
    description: 'built by the test',
    callerNumber: CALLER_NUMBER,
    turns,
  });
  return {
    ...scenario,
    dir: '/nonexistent',
    audioOf: (file) => {
      const bytes = audio[file];
      if (bytes === undefined) throw new Error(`no audio ${file}`);
      return bytes;
    },
  };
}
const agentSays = (text: string, file: string) => ({ speaker: 'agent', outputs: [{ say: text, audio: file }] });
const callerSays = (text: string, file: string, interruptAfterMs?: number) => ({
  speaker: 'caller',
  say: text,
  audio: file,
  ...(interruptAfterMs === undefined ? {} : { interruptAfterMs }),
});

interface RecordedRequest {
  readonly path: string;
  readonly params: Record<string, string>;
  readonly signatureValid: boolean;
  readonly at: number;
}

/** The service's side of one media socket: everything the simulator sent, and helpers to act as the agent. */
class FakeMediaSession {
  readonly messages: TwilioMessage[] = [];
  readonly invalidFrames: string[] = [];
  readonly handshakeSignatureValid: boolean;
  readonly path: string;
  /** When the stream's socket opened: no frame can have been sent before it. */
  readonly connectedAt = performance.now();
  /** When the fake started closing, and how many HTTP requests had arrived by then. */
  closeSentAt: number | undefined;
  requestPathsAtClose: string[] | undefined;
  closedByClient: { code: number } | undefined;
  scriptError: unknown;
  readonly #ws: WebSocket;
  readonly #requests: readonly RecordedRequest[];
  #cursor = 0;
  #wake: (() => void) | undefined;

  constructor(ws: WebSocket, handshakeSignatureValid: boolean, path: string, requests: readonly RecordedRequest[]) {
    this.#ws = ws;
    this.handshakeSignatureValid = handshakeSignatureValid;
    this.path = path;
    this.#requests = requests;
    ws.on('message', (data: Buffer) => {
      const frame = parseTwilioFrame(data.toString());
      if (frame.kind === 'message') this.messages.push(frame.message);
      else this.invalidFrames.push(data.toString().slice(0, 80));
      this.#wake?.();
    });
    ws.on('close', (code) => {
      if (this.closeSentAt === undefined) this.closedByClient = { code };
      this.#wake?.();
    });
  }

  get streamSid(): string {
    const start = this.messages.find((m) => m.event === 'start');
    if (start?.event !== 'start') throw new Error('no start yet');
    return start.streamSid;
  }

  media(): TwilioMediaMessage[] {
    return this.messages.filter((m): m is TwilioMediaMessage => m.event === 'media');
  }

  /** Waits for the next message (after the previous match) that satisfies `match`. */
  async waitFor(what: string, match: (m: TwilioMessage) => boolean): Promise<TwilioMessage> {
    const deadline = performance.now() + WAIT_MS;
    for (;;) {
      while (this.#cursor < this.messages.length) {
        const message = this.messages[this.#cursor]!;
        this.#cursor += 1;
        if (match(message)) return message;
      }
      if (performance.now() > deadline) throw new Error(`fake service: no ${what} within ${WAIT_MS} ms`);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, 50);
      });
    }
  }

  waitForMark(name: string): Promise<TwilioMessage> {
    return this.waitFor(`echo of mark ${name}`, (m) => m.event === 'mark' && m.mark.name === name);
  }

  async waitForSilentFrames(count: number): Promise<void> {
    let silent = 0;
    await this.waitFor(`${count} silent frames`, (m) => {
      if (m.event !== 'media') return false;
      silent = isSpeech(m) ? 0 : silent + 1;
      return silent >= count;
    });
  }

  sendAudio(audio: Buffer, mark?: string): void {
    this.send({ event: 'media', streamSid: this.streamSid, media: { payload: audio.toString('base64') } });
    if (mark !== undefined) this.send({ event: 'mark', streamSid: this.streamSid, mark: { name: mark } });
  }

  send(message: unknown): void {
    this.#ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  close(code: number, reason: string): void {
    this.closeSentAt = performance.now();
    this.requestPathsAtClose = this.#requests.map((r) => r.path);
    this.#ws.close(code, reason);
  }
}

interface FakeServiceOptions {
  /** TwiML for the voice webhook; by default <Say>, then <Connect action><Stream><Parameter token/>. */
  readonly voiceTwiml?: string;
  /** What the agent does on the media socket. */
  readonly agent?: (session: FakeMediaSession) => Promise<void>;
}

class FakeService {
  readonly requests: RecordedRequest[] = [];
  readonly sessions: FakeMediaSession[] = [];
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #agentRuns: Promise<void>[] = [];

  private constructor(options: FakeServiceOptions) {
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.use((req, res, next) => {
      const params = req.body as Record<string, string>;
      const signatureValid = twilio.validateRequest(
        AUTH_TOKEN,
        req.header('x-twilio-signature') ?? '',
        `${PUBLIC_BASE}${req.originalUrl}`,
        params,
      );
      this.requests.push({ path: req.path, params, signatureValid, at: performance.now() });
      if (!signatureValid) {
        res.status(403).type('text/plain').send('Forbidden');
        return;
      }
      next();
    });
    app.post('/twilio/voice', (_req, res) => {
      res.type('text/xml').send(options.voiceTwiml ?? FakeService.connectTwiml());
    });
    app.post('/twilio/voice/after', (_req, res) => {
      const response = new twilio.twiml.VoiceResponse();
      response.hangup();
      res.type('text/xml').send(response.toString());
    });
    app.post('/twilio/voice/status', (_req, res) => {
      res.status(204).end();
    });
    app.post('/twilio/voice/stream-status', (_req, res) => {
      res.status(204).end();
    });

    this.#server = createServer(app);
    this.#wss = new WebSocketServer({ server: this.#server });
    this.#wss.on('connection', (ws, req) => {
      const signature = req.headers['x-twilio-signature'];
      const valid =
        typeof signature === 'string' &&
        twilio.validateRequest(AUTH_TOKEN, signature, `${PUBLIC_BASE}/twilio/media`, {});
      const session = new FakeMediaSession(ws, valid, req.url ?? '', this.requests);
      this.sessions.push(session);
      const agent = options.agent ?? (() => Promise.resolve());
      this.#agentRuns.push(
        (async () => {
          const start = await session.waitFor('start', (m) => m.event === 'start');
          if (start.event !== 'start' || start.start.customParameters.token !== STREAM_TOKEN) {
            session.close(1008, 'bad stream token');
            return;
          }
          await agent(session);
        })().catch((error: unknown) => {
          session.scriptError = error;
          session.close(1011, 'fake agent failed');
        }),
      );
    });
  }

  static connectTwiml(): string {
    const response = new twilio.twiml.VoiceResponse();
    response.say('This call is transcribed.');
    const connect = response.connect({ action: `${PUBLIC_BASE}/twilio/voice/after` });
    const stream = connect.stream({
      url: 'wss://permits.example.test/twilio/media',
      statusCallback: `${PUBLIC_BASE}/twilio/voice/stream-status`,
    });
    stream.parameter({ name: 'token', value: STREAM_TOKEN });
    return response.toString();
  }

  static async start(options: FakeServiceOptions = {}): Promise<FakeService> {
    const service = new FakeService(options);
    await new Promise<void>((resolve) => service.#server.listen(0, '127.0.0.1', resolve));
    return service;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** The only media session; fails the test if the agent script failed. */
  async session(): Promise<FakeMediaSession> {
    await Promise.all(this.#agentRuns);
    expect(this.sessions).toHaveLength(1);
    const session = this.sessions[0]!;
    expect(session.scriptError).toBeUndefined();
    expect(session.invalidFrames).toEqual([]);
    return session;
  }

  async close(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate();
    this.#wss.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.#server.close(() => {
        resolve();
      }),
    );
  }
}

let fake: FakeService | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function call(
  service: FakeService,
  scenario: LoadedScenario,
  options: Partial<SimulateCallOptions> = {},
): Promise<{ result: CallResult; events: CallEvent[] }> {
  const events: CallEvent[] = [];
  const result = await simulateCall({
    serviceUrl: service.url,
    publicBaseUrl: PUBLIC_BASE,
    authToken: AUTH_TOKEN,
    scenario,
    realTimeFactor: 4,
    timeoutMs: 8_000,
    onEvent: (event) => {
      events.push(event);
    },
    ...options,
  });
  return { result, events };
}

/** Index of the first message at or after `from` that satisfies `match`. */
const indexOf = (messages: TwilioMessage[], match: (m: TwilioMessage) => boolean, from = 0): number =>
  messages.findIndex((m, i) => i >= from && match(m));
const isMark =
  (name: string) =>
  (m: TwilioMessage): boolean =>
    m.event === 'mark' && m.mark.name === name;
const mediaBefore = (messages: TwilioMessage[], index: number): number =>
  messages.slice(0, index).filter((m) => m.event === 'media').length;

describe('the call simulator', () => {
  it('when the service greets, answers, clears mid-answer and closes, then the simulator plays it like a phone and Twilio’s requests follow in order', async () => {
    const greetingMarks = ['greet-1', 'greet-2', 'greet-3', 'greet-4', 'greet-5'];
    const replyMarks = ['reply-1', 'reply-2', 'reply-3', 'reply-4'];
    fake = await FakeService.start({
      agent: async (s) => {
        for (const name of greetingMarks) s.sendAudio(agentAudio(200), name);
        await s.waitForMark('greet-5');
        await s.waitFor('caller speech', (m) => m.event === 'media' && isSpeech(m));
        await s.waitForSilentFrames(15);
        for (const name of replyMarks) s.sendAudio(agentAudio(500), name);
        await s.waitForMark('reply-1');
        s.send({ event: 'clear', streamSid: s.streamSid });
        await s.waitForMark('reply-4');
        s.close(1000, 'call ended');
      },
    });
    const scenario = testScenario(
      [
        agentSays('Hello, which permit?', 'a1.ulaw'),
        callerSays('A taco stand.', 'c1.ulaw'),
        agentSays('Thank you, goodbye.', 'a2.ulaw'),
      ],
      { 'c1.ulaw': tone(410) },
    );

    const { result, events } = await call(fake, scenario);
    const session = await fake.session();
    const { messages } = session;
    const media = session.media();

    // The voice webhook, signed for the public URL, sent to the local service.
    const [webhook] = fake.requestsTo('/twilio/voice');
    expect(webhook?.signatureValid).toBe(true);
    const { AccountSid: accountSid, To: to, ...webhookParams } = webhook?.params ?? {};
    expect(webhookParams).toEqual({
      CallSid: result.callSid,
      From: CALLER_NUMBER,
      CallStatus: 'ringing',
      Direction: 'inbound',
      ApiVersion: '2010-04-01',
    });
    expect(accountSid).toMatch(/^AC[0-9a-f]{32}$/);
    expect(to).toMatch(/^\+1\d{10}$/);
    expect(result.callSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(result.webhookStatus).toBe(200);
    expect(result.say).toBe('This call is transcribed.');

    // The socket: signed handshake on the stream's path, connected then start with the token.
    expect(session.handshakeSignatureValid).toBe(true);
    expect(session.path).toBe('/twilio/media');
    expect(messages[0]).toEqual({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    expect(messages[1]).toEqual({
      event: 'start',
      sequenceNumber: '1',
      streamSid: result.streamSid,
      start: {
        accountSid,
        streamSid: result.streamSid,
        callSid: result.callSid,
        tracks: ['inbound'],
        customParameters: { token: STREAM_TOKEN },
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
    });
    expect(result.streamSid).toMatch(/^MZ[0-9a-f]{32}$/);

    // Frames: every message numbered in order, media chunks counted from 1, 20 ms apart, 160 bytes each.
    expect(messages.slice(1).map((m) => ('sequenceNumber' in m ? m.sequenceNumber : undefined))).toEqual(
      messages.slice(1).map((_, i) => String(i + 1)),
    );
    expect(media.map((m) => m.media.chunk)).toEqual(media.map((_, i) => String(i + 1)));
    expect(media.map((m) => m.media.timestamp)).toEqual(media.map((_, i) => String(i * FRAME_MS)));
    expect(
      media.every(
        (m) => m.media.track === 'inbound' && payloadOf(m).length === FRAME_BYTES && m.streamSid === result.streamSid,
      ),
    ).toBe(true);
    expect(result.framesSent).toBe(media.length);

    // Marks come back in order, each only once the 200 ms of audio before it has played (10 frames).
    expect(result.marksEchoed).toEqual([...greetingMarks, ...replyMarks]);
    const greetEchoes = greetingMarks.map((name) => mediaBefore(messages, indexOf(messages, isMark(name))));
    expect(greetEchoes[0]).toBeGreaterThanOrEqual(10);
    expect(greetEchoes.slice(1).map((frames, i) => frames - greetEchoes[i]!)).toEqual([10, 10, 10, 10]);

    // The caller waits for the greeting to end and ~600 ms of quiet, then speaks 410 ms: 21 frames, the last padded.
    const speech = media.filter(isSpeech);
    const firstSpeech = media.findIndex(isSpeech);
    expect(firstSpeech - greetEchoes[4]!).toBeGreaterThanOrEqual(29);
    expect(firstSpeech - greetEchoes[4]!).toBeLessThanOrEqual(33);
    expect(speech).toHaveLength(21);
    expect(media.slice(firstSpeech, firstSpeech + 21).every(isSpeech)).toBe(true);
    expect(payloadOf(speech[20]!).subarray(0, 80)).toEqual(tone(410).subarray(20 * FRAME_BYTES));
    expect(
      payloadOf(speech[20]!)
        .subarray(80)
        .every((b) => b === MULAW_SILENCE),
    ).toBe(true);

    // The clear: the pending marks come back at once, nothing played in between; the rest of the answer is dropped.
    const afterClear = indexOf(messages, isMark('reply-2'));
    expect(messages.slice(afterClear, afterClear + 3).map((m) => (m.event === 'mark' ? m.mark.name : m.event))).toEqual(
      ['reply-2', 'reply-3', 'reply-4'],
    );
    expect(result.clears).toHaveLength(1);
    // Up to 1.5 s: a busy machine may play a few more frames before the clear lands.
    expect(result.clears[0]!.droppedMs).toBeGreaterThan(500);
    expect(result.clears[0]!.droppedMs).toBeLessThanOrEqual(1_500);
    expect(result.agentAudioMsPlayed).toBe(1_000 + 2_000 - result.clears[0]!.droppedMs);

    // The service closed; then, and only then, the action was requested; then the status callback.
    expect(result.endedBy).toBe('service');
    expect(result.closeCode).toBe(1000);
    expect(result.closeReason).toBe('call ended');
    expect(session.requestPathsAtClose).toContain('/twilio/voice');
    expect(session.requestPathsAtClose).not.toContain('/twilio/voice/after');
    const [action] = fake.requestsTo('/twilio/voice/after');
    const [status] = fake.requestsTo('/twilio/voice/status');
    expect(action?.signatureValid).toBe(true);
    expect(action?.at).toBeGreaterThan(session.closeSentAt!);
    expect(action?.params).toEqual({
      CallSid: result.callSid,
      AccountSid: accountSid,
      From: CALLER_NUMBER,
      To: to,
      CallStatus: 'in-progress',
    });
    expect(result.connectActionTwiml).toContain('<Hangup/>');
    expect(status?.signatureValid).toBe(true);
    expect(status?.at).toBeGreaterThan(action!.at);
    expect(status?.params).toMatchObject({
      CallSid: result.callSid,
      CallStatus: 'completed',
      CallDuration: String(Math.round(result.durationMs / 1000)),
    });
    expect(result.statusCallbackStatus).toBe(204);
    expect(
      fake
        .requestsTo('/twilio/voice/stream-status')
        .map((r) => [r.params.StreamEvent, r.params.StreamSid, r.signatureValid]),
    ).toEqual([
      ['stream-started', result.streamSid, true],
      ['stream-stopped', result.streamSid, true],
    ]);

    expect(result.protocolViolations).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.callerTurnsSpoken).toBe(1);
    expect(events.map((e) => e.type).filter((t) => t !== 'mark-echoed' && t !== 'stream-status-callback')).toEqual([
      'webhook-answered',
      'stream-opened',
      'agent-audio-started',
      'agent-audio-finished',
      'caller-speaking',
      'caller-done',
      'agent-audio-started',
      'cleared',
      'agent-audio-finished',
      'stream-closed',
      'connect-action',
      'status-callback',
    ]);
    expect(events.find((e) => e.type === 'cleared')).toMatchObject({ marksEchoed: 3 });
  });

  it('when the caller barges in after 300 ms of the agent’s speech, then they speak over it without waiting for the end', async () => {
    const marks = Array.from({ length: 20 }, (_, i) => `a-${i + 1}`);
    fake = await FakeService.start({
      agent: async (s) => {
        for (const name of marks) s.sendAudio(agentAudio(100), name);
        await s.waitFor('caller speech', (m) => m.event === 'media' && isSpeech(m));
        s.send({ event: 'clear', streamSid: s.streamSid });
        await s.waitForSilentFrames(5);
        s.close(1000, 'done');
      },
    });
    const scenario = testScenario(
      [
        agentSays('A long explanation of every step.', 'a1.ulaw'),
        callerSays('It is Sunny Side.', 'c1.ulaw', 300),
        agentSays('Saved.', 'a2.ulaw'),
      ],
      { 'c1.ulaw': tone(200) },
    );

    const { result } = await call(fake, scenario);
    const { messages } = await fake.session();

    const firstSpeech = indexOf(messages, (m) => m.event === 'media' && isSpeech(m));
    const echoedBeforeSpeech = messages.slice(0, firstSpeech).flatMap((m) => (m.event === 'mark' ? [m.mark.name] : []));
    expect(echoedBeforeSpeech).toEqual(['a-1', 'a-2', 'a-3']);
    expect(result.clears).toHaveLength(1);
    expect(result.clears[0]!.droppedMs).toBeGreaterThan(800);
    expect(result.clears[0]!.droppedMs).toBeLessThanOrEqual(1_700);
    expect(result.marksEchoed).toEqual(marks);
    expect(result.agentAudioMsPlayed).toBe(2_000 - result.clears[0]!.droppedMs);
    expect(result.callerTurnsSpoken).toBe(1);
    expect(result.connectActionTwiml).toContain('<Hangup/>');
    expect(result.errors).toEqual([]);
  });

  it('when the caller hangs up after their first turn, then stop is sent and the socket closed, and only the status callback follows', async () => {
    fake = await FakeService.start({
      agent: async (s) => {
        s.sendAudio(agentAudio(200), 'hello');
        await s.waitFor('stop', (m) => m.event === 'stop');
      },
    });
    const scenario = testScenario(
      [
        agentSays('Hello.', 'a1.ulaw'),
        callerSays('Hi.', 'c1.ulaw'),
        agentSays('Go on.', 'a2.ulaw'),
        callerSays('Never said.', 'c2.ulaw'),
      ],
      { 'c1.ulaw': tone(200), 'c2.ulaw': tone(200) },
    );

    const { result } = await call(fake, scenario, { hangUpAfterTurn: 0 });
    const session = await fake.session();

    const last = session.messages.at(-1);
    const start = session.messages[1];
    expect(last).toEqual({
      event: 'stop',
      sequenceNumber: String(session.messages.length - 1),
      streamSid: result.streamSid,
      stop: { accountSid: start?.event === 'start' ? start.start.accountSid : 'no start', callSid: result.callSid },
    });
    expect(session.media().filter(isSpeech)).toHaveLength(10);
    await expect.poll(() => session.closedByClient).toEqual({ code: 1000 });
    expect(result.endedBy).toBe('caller');
    expect(result.callerTurnsSpoken).toBe(1);
    expect(fake.requestsTo('/twilio/voice/after')).toEqual([]);
    expect(result.connectActionTwiml).toBeUndefined();
    const [status] = fake.requestsTo('/twilio/voice/status');
    expect(status?.params.CallStatus).toBe('completed');
    expect(status?.params.CallDuration).toBe(String(Math.round(result.durationMs / 1000)));
    expect(result.statusCallbackStatus).toBe(204);
    expect(result.errors).toEqual([]);
  });

  it('when the service sends anything but media, mark and clear, then each is recorded as a protocol violation', async () => {
    fake = await FakeService.start({
      agent: async (s) => {
        s.send({ event: 'speak', streamSid: s.streamSid, text: 'hello' });
        s.send('this is not json');
        s.send({ event: 'media', streamSid: s.streamSid, media: { payload: 'not base64!' } });
        s.send({ event: 'mark', streamSid: 'MZ-someone-else', mark: { name: 'x' } });
        s.sendAudio(agentAudio(40), 'fine');
        await s.waitForMark('fine');
        s.close(1000, 'bye');
      },
    });
    const { result } = await call(fake, testScenario([agentSays('Hello.', 'a1.ulaw')], {}));
    await fake.session();

    expect(result.protocolViolations).toHaveLength(4);
    expect(result.protocolViolations[0]).toMatch(/"speak".*31924/);
    expect(result.protocolViolations[1]).toMatch(/not JSON.*31924/);
    expect(result.protocolViolations[2]).toMatch(/malformed media.*base64.*31924/);
    expect(result.protocolViolations[3]).toMatch(/stream MZ-someone-else/);
    expect(result.marksEchoed).toEqual(['fine']);
    expect(result.agentAudioMsPlayed).toBe(40);
  });

  it('when the first agent turn only calls tools, then the caller does not wait and speaks from the first frame', async () => {
    fake = await FakeService.start({
      agent: async (s) => {
        await s.waitFor('caller speech', (m) => m.event === 'media' && isSpeech(m));
        await s.waitForSilentFrames(3);
        s.close(1000, 'bye');
      },
    });
    const scenario = testScenario(
      [{ speaker: 'agent', outputs: [{ call: 'get_application' }] }, callerSays('Hello?', 'c1.ulaw')],
      { 'c1.ulaw': tone(100) },
    );

    const { result } = await call(fake, scenario);
    const session = await fake.session();

    expect(session.media().slice(0, 5).map(isSpeech)).toEqual([true, true, true, true, true]);
    expect(result.callerTurnsSpoken).toBe(1);
  });

  it('when the event loop stalls now and then, then the frames sent still keep up with the wall clock, 20 ms each (no drift)', async () => {
    let elapsedMs = 0;
    let sinceConnectedMs = 0;
    let framesAtClose = 0;
    fake = await FakeService.start({
      agent: async (s) => {
        const startedAt = performance.now();
        // The fake runs in the simulator's process: hogging it delays the simulator's timers, as a busy machine would.
        const stalls = setInterval(() => {
          const until = performance.now() + 60;
          while (performance.now() < until) {
            // busy
          }
        }, 150);
        await new Promise((resolve) => setTimeout(resolve, 1_200));
        clearInterval(stalls);
        // Let the frames already on the wire land before counting.
        await new Promise((resolve) => setTimeout(resolve, 30));
        const countedAt = performance.now();
        elapsedMs = countedAt - startedAt;
        sinceConnectedMs = countedAt - s.connectedAt;
        framesAtClose = s.media().length;
        s.close(1000, 'bye');
      },
    });
    const { result } = await call(fake, testScenario([agentSays('Hello.', 'a1.ulaw')], {}), { realTimeFactor: 1 });
    const session = await fake.session();

    // Frame n is due n × 20 ms after the first: after a stall the missed frames go out at once instead of the call
    // falling behind. At least those due since the agent began (which a busy machine may start after the first
    // frames went out) have arrived; never more than are due since the socket opened (no frame goes out early).
    expect(framesAtClose).toBeGreaterThanOrEqual(Math.floor(elapsedMs / FRAME_MS) + 1 - 3);
    expect(framesAtClose).toBeLessThanOrEqual(Math.floor(sinceConnectedMs / FRAME_MS) + 1);
    expect(session.media().at(-1)?.media.timestamp).toBe(String((session.media().length - 1) * FRAME_MS));
    expect(result.framesSent).toBe(session.media().length);
    expect(result.durationMs).toBeGreaterThan(1_200);
  });

  it('when the whole process is starved of CPU in the middle of an agent line, then the phone clock pauses and the caller hears the line without a gap', async () => {
    const CHUNKS = 12;
    fake = await FakeService.start({
      agent: async (s) => {
        // Generated twice as fast as it plays, paced by timers, as the model stand-in generates a line.
        for (let chunk = 1; chunk <= CHUNKS; chunk++) {
          s.sendAudio(agentAudio(100), chunk === CHUNKS ? 'line-end' : undefined);
          await new Promise((resolve) => setTimeout(resolve, 50));
          if (chunk !== 4) continue;
          // Nothing in this process runs for a second (a busy machine): neither the generator nor the phone.
          const until = performance.now() + 1_000;
          while (performance.now() < until) {
            // starved
          }
        }
        await s.waitForMark('line-end');
        s.close(1000, 'bye');
      },
    });
    const { events } = await call(fake, testScenario([agentSays('Hello.', 'a1.ulaw')], {}), { realTimeFactor: 1 });

    // Catching the whole second up at once would play silence where the line was not generated yet: a gap, two segments.
    const heard = events.filter((e) => e.type === 'agent-audio-started' || e.type === 'agent-audio-finished');
    expect(heard.map((e) => e.type)).toEqual(['agent-audio-started', 'agent-audio-finished']);
    expect(heard[1]).toMatchObject({ playedMs: CHUNKS * 100 });
  });

  it('when the webhook signature does not match the service’s token, then the call ends with the 403 and no stream is opened', async () => {
    fake = await FakeService.start();
    const { result, events } = await call(fake, testScenario([agentSays('Hello.', 'a1.ulaw')], {}), {
      authToken: 'some-other-token',
    });

    expect(fake.requestsTo('/twilio/voice')[0]?.signatureValid).toBe(false);
    expect(result.webhookStatus).toBe(403);
    expect(result.endedBy).toBe('webhook-failed');
    expect(result.errors).toEqual(['the voice webhook answered HTTP 403']);
    expect(result.streamSid).toBeUndefined();
    expect(fake.sessions).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(['webhook-answered', 'error']);
  });

  it('when the TwiML only says something and hangs up, then the Say is reported, no stream is opened and the status callback is sent', async () => {
    fake = await FakeService.start({
      voiceTwiml: '<?xml version="1.0" encoding="UTF-8"?><Response><Say>We are closed.</Say><Hangup/></Response>',
    });
    const { result, events } = await call(fake, testScenario([agentSays('Hello.', 'a1.ulaw')], {}));

    expect(result.endedBy).toBe('no-stream');
    expect(result.say).toBe('We are closed.');
    expect(events[0]).toMatchObject({
      type: 'webhook-answered',
      status: 200,
      verbs: ['Say', 'Hangup'],
      streamUrl: undefined,
    });
    expect(fake.sessions).toEqual([]);
    expect(result.statusCallbackStatus).toBe(204);
    expect(result.errors).toEqual([]);
  });

  it('when nothing listens at the service URL, then the call is refused with ServiceUnreachableError', async () => {
    const closed = await FakeService.start();
    const url = closed.url;
    await closed.close();
    await expect(
      simulateCall({
        serviceUrl: url,
        authToken: AUTH_TOKEN,
        scenario: testScenario([agentSays('Hello.', 'a1.ulaw')], {}),
      }),
    ).rejects.toSatisfy((error) => error instanceof ServiceUnreachableError && /ECONNREFUSED/.test(error.message));
  });
});

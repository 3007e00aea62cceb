import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import type { RealtimeServerEvent } from 'openai/resources/realtime/realtime';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { WebSocket } from 'ws';
import {
  startRealtimeSimulator,
  type RealtimeSimulator,
  type RealtimeSimulatorOptions,
} from '../../src/sim/realtime-simulator.ts';
import { loadScenario, type LoadedScenario } from '../../src/sim/scenario.ts';
import { BYTES_PER_MS, FRAME_BYTES, MULAW_SILENCE } from '../../src/sim/speech-detector.ts';

type EventOf<T extends RealtimeServerEvent['type']> = Extract<RealtimeServerEvent, { type: T }>;

const scenario = loadScenario('happy-path');

function line(index: number): { say: string; audio: Buffer } {
  const turn = scenario.turns[index]!;
  const output = turn.speaker === 'caller' ? turn : turn.outputs.find((candidate) => 'say' in candidate);
  if (output === undefined || !('say' in output)) throw new Error(`turn ${index} has no speech`);
  return { say: output.say, audio: scenario.audioOf(output.audio) };
}

const GREETING = line(0);
const CALLER_1 = line(1);
const AGENT_2 = line(2);

/** A realtime client made the way the call bridge makes it: the openai SDK, trusting the simulator's certificate. */
class Client {
  readonly rt: OpenAIRealtimeWS;
  readonly events: RealtimeServerEvent[] = [];
  readonly errors: Error[] = [];
  readonly #waiters = new Set<() => void>();

  constructor(sim: RealtimeSimulator, apiKey = 'test-key') {
    const client = new OpenAI({ apiKey, baseURL: sim.baseURL });
    this.rt = new OpenAIRealtimeWS({ model: 'gpt-realtime', options: { ca: sim.ca } }, client);
    this.rt.on('error', (error) => {
      this.errors.push(error);
      this.#wake();
    });
    this.rt.on('event', (event) => {
      this.events.push(event);
      this.#wake();
    });
  }

  #wake(): void {
    for (const waiter of this.#waiters) waiter();
  }

  async open(): Promise<this> {
    await once(this.rt.socket, 'open');
    return this;
  }

  of<T extends RealtimeServerEvent['type']>(type: T): EventOf<T>[] {
    return this.events.filter((event): event is EventOf<T> => event.type === type);
  }

  /** The first event of `type` (after `after` events of that type) matching `where`. */
  waitFor<T extends RealtimeServerEvent['type']>(
    type: T,
    where: (event: EventOf<T>) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<EventOf<T>> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.of(type).find(where);
        if (found === undefined) return false;
        this.#waiters.delete(waiter);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const waiter = (): void => {
        check();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(
          new Error(`no ${type} within ${timeoutMs} ms; got ${this.events.map((event) => event.type).join(', ')}`),
        );
      }, timeoutMs);
      if (!check()) this.#waiters.add(waiter);
    });
  }

  /** The `index`-th (from 0) event of `type`. */
  nth<T extends RealtimeServerEvent['type']>(type: T, index: number): Promise<EventOf<T>> {
    return this.waitFor(type, (event) => this.of(type).indexOf(event) === index);
  }

  speak(audio: Buffer, trailingSilenceMs = 800): void {
    const all = Buffer.concat([audio, Buffer.alloc(trailingSilenceMs * BYTES_PER_MS, MULAW_SILENCE)]);
    for (let offset = 0; offset < all.length; offset += FRAME_BYTES) {
      this.rt.send({
        type: 'input_audio_buffer.append',
        audio: all.subarray(offset, offset + FRAME_BYTES).toString('base64'),
      });
    }
  }

  sendRaw(text: string): void {
    this.rt.socket.send(text);
  }

  close(): void {
    if (this.rt.socket.readyState === WebSocket.OPEN) this.rt.close();
  }
}

const sims: RealtimeSimulator[] = [];
const clients: Client[] = [];

async function simulator(
  options: Partial<RealtimeSimulatorOptions> & { scenario?: LoadedScenario } = {},
): Promise<RealtimeSimulator> {
  const sim = await startRealtimeSimulator({ scenario, ...options });
  sims.push(sim);
  return sim;
}

async function connect(sim: RealtimeSimulator, apiKey?: string): Promise<Client> {
  const client = new Client(sim, apiKey);
  clients.push(client);
  return client.open();
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(sims.splice(0).map((sim) => sim.close()));
});

function audioOf(deltas: readonly EventOf<'response.output_audio.delta'>[]): Buffer {
  return Buffer.concat(deltas.map((delta) => Buffer.from(delta.delta, 'base64')));
}

/** Plays the greeting, then the caller's first line, up to the agent's tool call. */
async function throughFirstToolCall(client: Client): Promise<EventOf<'response.function_call_arguments.done'>> {
  client.rt.send({ type: 'response.create' });
  await client.waitFor('response.done');
  client.speak(CALLER_1.audio);
  return client.waitFor('response.function_call_arguments.done');
}

/** Plays a scenario as the call bridge would: answers every tool call and speaks every caller line once the agent is done. */
async function playWholeCall(client: Client, played: LoadedScenario): Promise<void> {
  let responses = 0;
  let calls = 0;
  let speeches = 0;
  let callerLines = 0;
  client.rt.send({ type: 'response.create' });
  for (const turn of played.turns) {
    if (turn.speaker === 'caller') {
      client.speak(played.audioOf(turn.audio));
      expect((await client.nth('conversation.item.input_audio_transcription.completed', callerLines)).transcript).toBe(
        turn.say,
      );
      callerLines += 1;
      continue;
    }
    for (const [index, output] of turn.outputs.entries()) {
      if ('call' in output) {
        const call = await client.nth('response.function_call_arguments.done', calls);
        calls += 1;
        expect([call.name, JSON.parse(call.arguments)]).toEqual([output.call, output.arguments]);
        await client.nth('response.done', responses);
        responses += 1;
        if (index === turn.outputs.length - 1) continue;
        client.rt.send({
          type: 'conversation.item.create',
          item: { type: 'function_call_output', call_id: call.call_id, output: '{"ok":true}' },
        });
        client.rt.send({ type: 'response.create' });
        continue;
      }
      const transcript = await client.nth('response.output_audio_transcript.done', speeches);
      speeches += 1;
      expect(transcript.transcript).toBe(output.say);
      const audio = audioOf(
        client.of('response.output_audio.delta').filter((delta) => delta.item_id === transcript.item_id),
      );
      expect(audio.equals(played.audioOf(output.audio))).toBe(true);
      if (index === turn.outputs.length - 1) {
        await client.nth('response.done', responses);
        responses += 1;
      }
    }
  }
  expect(client.of('input_audio_buffer.speech_started')).toHaveLength(callerLines);
  expect(client.of('response.done').map((done) => done.response.status)).toEqual(
    Array<string>(responses).fill('completed'),
  );
  expect(client.errors).toEqual([]);
}

describe('realtime simulator', () => {
  it('when the SDK connects, then session.created arrives with a realtime session that expires in about an hour', async () => {
    const sim = await simulator();
    const client = await connect(sim);
    const created = await client.waitFor('session.created');
    const session = created.session as { type: string; model?: string; expires_at?: number; id?: string };
    expect(session.type).toBe('realtime');
    expect(session.model).toBe('gpt-realtime');
    expect(session.id).toMatch(/^sess_/);
    expect(created.event_id).toMatch(/^event_/);
    const inAnHour = Date.now() / 1000 + 3600;
    expect(session.expires_at).toBeGreaterThan(inAnHour - 60);
    expect(session.expires_at).toBeLessThan(inAnHour + 60);
    expect(sim.connections).toBe(1);
    expect(client.errors).toEqual([]);
  });

  it('when the client sends session.update, then session.updated carries the merged configuration', async () => {
    const client = await connect(await simulator());
    client.rt.send({
      type: 'session.update',
      session: {
        type: 'realtime',
        instructions: 'You take food permit applications.',
        tools: [
          {
            type: 'function',
            name: 'end_call',
            description: 'Hang up.',
            parameters: { type: 'object', properties: {} },
          },
        ],
        audio: {
          input: {
            format: { type: 'audio/pcmu' },
            turn_detection: { type: 'server_vad', silence_duration_ms: 700, create_response: true },
          },
          output: { voice: 'cedar' },
        },
      },
    });
    const updated = await client.waitFor('session.updated');
    expect(updated.session).toMatchObject({
      type: 'realtime',
      instructions: 'You take food permit applications.',
      tools: [{ type: 'function', name: 'end_call' }],
      audio: {
        input: {
          format: { type: 'audio/pcmu' },
          turn_detection: {
            type: 'server_vad',
            silence_duration_ms: 700,
            prefix_padding_ms: 300,
            interrupt_response: true,
          },
        },
        // Merged, not replaced: the output format the client did not mention is still there.
        output: { voice: 'cedar', format: { type: 'audio/pcm' } },
      },
    });
    expect('tools' in updated.session && updated.session.tools).toHaveLength(1);
  });

  it('when the client sends response.create, then the greeting streams in order: all of its audio, its transcript and the usage', async () => {
    const client = await connect(await simulator());
    client.rt.send({ type: 'response.create' });
    const done = await client.waitFor('response.done');
    const created = client.of('response.created')[0]!;
    expect(done.response.id).toBe(created.response.id);
    expect(done.response.status).toBe('completed');

    const deltas = client.of('response.output_audio.delta');
    expect(audioOf(deltas).equals(GREETING.audio)).toBe(true);
    expect(deltas.length).toBe(Math.ceil(GREETING.audio.length / (100 * BYTES_PER_MS)));
    expect(
      client
        .of('response.output_audio_transcript.delta')
        .map((delta) => delta.delta)
        .join(''),
    ).toBe(GREETING.say);
    expect(client.of('response.output_audio_transcript.done')[0]?.transcript).toBe(GREETING.say);

    const types = client.events
      .map((event) => event.type)
      .filter((type) => type !== 'response.output_audio.delta' && type !== 'response.output_audio_transcript.delta');
    expect(types).toEqual([
      'session.created',
      'response.created',
      'response.output_item.added',
      'conversation.item.added',
      'response.content_part.added',
      'response.output_audio.done',
      'response.output_audio_transcript.done',
      'response.content_part.done',
      'response.output_item.done',
      'conversation.item.done',
      'response.done',
    ]);
    const item = client.of('response.output_item.done')[0]!.item;
    expect(item).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' });
    expect(deltas.every((delta) => delta.item_id === item.id && delta.response_id === done.response.id)).toBe(true);

    const greetingSeconds = GREETING.audio.length / 8000;
    expect(done.response.usage?.output_token_details?.audio_tokens).toBe(Math.round(greetingSeconds * 20));
    expect(done.response.usage?.output_token_details?.text_tokens).toBeGreaterThan(0);
    expect(done.response.usage?.input_tokens).toBeGreaterThan(0);
  });

  it("when the caller's audio is fed in 20 ms frames, then speech is detected, committed and transcribed, and the agent calls its tool", async () => {
    const client = await connect(await simulator());
    const call = await throughFirstToolCall(client);

    const started = client.of('input_audio_buffer.speech_started')[0]!;
    const stopped = client.of('input_audio_buffer.speech_stopped')[0]!;
    const committed = client.of('input_audio_buffer.committed')[0]!;
    const transcription = client.of('conversation.item.input_audio_transcription.completed')[0]!;
    expect(started.audio_start_ms).toBe(0);
    const callerMs = CALLER_1.audio.length / BYTES_PER_MS;
    expect(stopped.audio_end_ms).toBeGreaterThan(callerMs);
    expect(stopped.audio_end_ms).toBeLessThanOrEqual(callerMs + 800);
    expect(new Set([started.item_id, stopped.item_id, committed.item_id, transcription.item_id]).size).toBe(1);
    const greetingItem = client.of('response.output_item.done')[0]!.item.id;
    expect(committed.previous_item_id).toBe(greetingItem);
    expect(transcription.transcript).toBe(CALLER_1.say);
    expect(
      client
        .of('conversation.item.added')
        .some(
          (added) => added.item.id === committed.item_id && added.item.type === 'message' && added.item.role === 'user',
        ),
    ).toBe(true);

    expect(call.name).toBe('update_application');
    expect(JSON.parse(call.arguments)).toEqual({ permitType: 'temporary_food_event' });
    expect(call.call_id).toMatch(/^call_/);
    const done = await client.waitFor(
      'response.done',
      (event) => event.response.output?.some((item) => item.type === 'function_call') ?? false,
    );
    expect(done.response.status).toBe('completed');
    expect(done.response.usage?.input_token_details?.audio_tokens).toBeGreaterThan(0);
    expect(client.of('response.output_audio.delta')).toHaveLength(Math.ceil(GREETING.audio.length / 800));
  });

  it("when the client returns the tool's output and asks for a response, then the agent speaks the rest of its turn", async () => {
    const sim = await simulator();
    const client = await connect(sim);
    const call = await throughFirstToolCall(client);
    client.rt.send({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: call.call_id, output: '{"saved":["Permit type"]}' },
    });
    const added = await client.waitFor(
      'conversation.item.added',
      (event) => event.item.type === 'function_call_output',
    );
    expect(added.item).toMatchObject({ type: 'function_call_output', call_id: call.call_id });
    expect(added.previous_item_id).toBe(call.item_id);
    client.rt.send({ type: 'response.create' });

    const transcript = await client.waitFor(
      'response.output_audio_transcript.done',
      (event) => event.transcript !== GREETING.say,
    );
    expect(transcript.transcript).toBe(AGENT_2.say);
    await client.waitFor(
      'response.done',
      (event) => event.response.output?.some((item) => item.id === transcript.item_id) ?? false,
    );
    expect(
      audioOf(client.of('response.output_audio.delta').filter((delta) => delta.item_id === transcript.item_id)).equals(
        AGENT_2.audio,
      ),
    ).toBe(true);
    expect(sim.toolOutputs()).toEqual([{ connection: 1, callId: call.call_id, output: '{"saved":["Permit type"]}' }]);
  });

  it('when the client truncates the played greeting, then conversation.item.truncated echoes it, and a truncation past its end is an error', async () => {
    const sim = await simulator();
    const client = await connect(sim);
    client.rt.send({ type: 'response.create' });
    const item = (await client.waitFor('response.output_item.done')).item;
    client.rt.send({ type: 'conversation.item.truncate', item_id: item.id!, content_index: 0, audio_end_ms: 1500 });
    const truncated = await client.waitFor('conversation.item.truncated');
    expect(truncated).toMatchObject({ item_id: item.id, content_index: 0, audio_end_ms: 1500 });
    expect(sim.truncations()).toEqual([
      { type: 'conversation.item.truncate', item_id: item.id, content_index: 0, audio_end_ms: 1500 },
    ]);

    client.rt.send({ type: 'conversation.item.truncate', item_id: item.id!, content_index: 0, audio_end_ms: 60_000 });
    const error = await client.waitFor('error');
    expect(error.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_value', param: 'audio_end_ms' });
  });

  it('when the caller talks over a response in progress, then the server cancels it as turn_detected before all its audio is sent', async () => {
    const client = await connect(await simulator({ audioChunkIntervalMs: 20 }));
    client.rt.send({ type: 'response.create' });
    await client.waitFor('response.output_audio.delta');
    client.speak(CALLER_1.audio);
    const done = await client.waitFor('response.done');
    expect(done.response.status).toBe('cancelled');
    expect(done.response.status_details).toEqual({ type: 'cancelled', reason: 'turn_detected' });
    const types = client.events.map((event) => event.type);
    expect(types.indexOf('input_audio_buffer.speech_started')).toBeLessThan(types.indexOf('response.done'));
    expect(audioOf(client.of('response.output_audio.delta')).length).toBeLessThan(GREETING.audio.length);
    expect(done.response.output?.[0]).toMatchObject({ type: 'message', status: 'incomplete' });

    // The interrupted turn is over: the caller's line is transcribed and the agent goes on with the next turn.
    const call = await client.waitFor('response.function_call_arguments.done');
    expect(call.name).toBe('update_application');
    expect(client.of('conversation.item.input_audio_transcription.completed')[0]?.transcript).toBe(CALLER_1.say);
  });

  it('when the client cancels a response in progress, then response.done says cancelled; with none in progress, it is an error', async () => {
    const client = await connect(await simulator({ audioChunkIntervalMs: 20 }));
    client.rt.send({ type: 'response.cancel' });
    const notActive = await client.waitFor('error');
    expect(notActive.error.code).toBe('response_cancel_not_active');

    client.rt.send({ type: 'response.create' });
    await client.waitFor('response.output_audio.delta');
    client.rt.send({ type: 'response.cancel' });
    const done = await client.waitFor('response.done');
    expect(done.response.status_details).toEqual({ type: 'cancelled', reason: 'client_cancelled' });
    expect(client.rt.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('when transcriptionDelayMs is set, then the caller transcript arrives after the agent began its answer', async () => {
    const client = await connect(await simulator({ transcriptionDelayMs: 150 }));
    await throughFirstToolCall(client);
    const transcription = await client.waitFor('conversation.item.input_audio_transcription.completed');
    expect(transcription.transcript).toBe(CALLER_1.say);
    const types = client.events.map((event) => event.type);
    const answerStarted = types.lastIndexOf('response.created');
    expect(client.of('response.created')).toHaveLength(2);
    expect(types.indexOf('conversation.item.input_audio_transcription.completed')).toBeGreaterThan(answerStarted);
  });

  it('when the client sends an unknown event or bad JSON, then an error event answers it and the session stays usable', async () => {
    const sim = await simulator();
    const client = await connect(sim);
    client.sendRaw(JSON.stringify({ type: 'conversation.teleport', event_id: 'evt_client_1' }));
    const unknown = await client.waitFor('error');
    expect(unknown.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'unknown_event',
      event_id: 'evt_client_1',
    });
    client.sendRaw('{not json');
    const invalid = await client.waitFor('error', (event) => event.error.code !== 'unknown_event');
    expect(invalid.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_json' });
    expect(client.errors).toHaveLength(2);

    client.rt.send({ type: 'session.update', session: { type: 'realtime', instructions: 'still here' } });
    await client.waitFor('session.updated');
    expect(client.rt.socket.readyState).toBe(WebSocket.OPEN);
    expect(sim.received.map((entry) => [entry.type, entry.accepted])).toEqual([
      ['conversation.teleport', false],
      ['', false],
      ['session.update', true],
    ]);
  });

  it('when two calls connect, then each runs the scenario from its first turn on its own', async () => {
    const sim = await simulator();
    const first = await connect(sim);
    await throughFirstToolCall(first);
    const second = await connect(sim);
    second.rt.send({ type: 'response.create' });
    const transcript = await second.waitFor('response.output_audio_transcript.done');
    expect(transcript.transcript).toBe(GREETING.say);
    expect(sim.connections).toBe(2);
    expect(new Set(sim.received.map((entry) => entry.connection))).toEqual(new Set([1, 2]));
    expect(second.of('input_audio_buffer.speech_started')).toHaveLength(0);
  });

  it('when carryScriptAcrossSessions is set and a session is cut during a tool call, then the next session replays that agent turn, tool call and all', async () => {
    const sim = await simulator({ carryScriptAcrossSessions: true });
    const first = await connect(sim);
    await throughFirstToolCall(first);
    sim.dropConnection(1);
    const second = await connect(sim);
    second.rt.send({ type: 'response.create' });
    const call = await second.waitFor('response.function_call_arguments.done');
    expect([call.name, JSON.parse(call.arguments)]).toEqual([
      'update_application',
      { permitType: 'temporary_food_event' },
    ]);
    second.rt.send({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: call.call_id, output: '{"saved":["Permit type"]}' },
    });
    second.rt.send({ type: 'response.create' });
    expect((await second.waitFor('response.output_audio_transcript.done')).transcript).toBe(AGENT_2.say);
  });

  it('when carryScriptAcrossSessions is set and a session ends while the caller is due to answer, then the next session asks that question again and goes on from the answer', async () => {
    const sim = await simulator({ carryScriptAcrossSessions: true });
    const first = await connect(sim);
    first.rt.send({ type: 'response.create' });
    await first.waitFor('response.done');
    first.close();
    const second = await connect(sim);
    second.rt.send({ type: 'response.create' });
    expect((await second.waitFor('response.output_audio_transcript.done')).transcript).toBe(GREETING.say);
    await second.waitFor('response.done');
    second.speak(CALLER_1.audio);
    expect((await second.waitFor('response.function_call_arguments.done')).name).toBe('update_application');

    sim.rewindScript();
    const nextCall = await connect(sim);
    nextCall.rt.send({ type: 'response.create' });
    expect((await nextCall.waitFor('response.output_audio_transcript.done')).transcript).toBe(GREETING.say);
    await nextCall.waitFor('response.done');
    expect(nextCall.of('response.function_call_arguments.done')).toHaveLength(0);
  });

  it('when apiKey is set, then an upgrade with the wrong key is refused with 401 and the right key is let in', async () => {
    const sim = await simulator({ apiKey: 'right-key' });
    const wrong = new Client(sim, 'wrong-key');
    clients.push(wrong);
    // Not events.once: it would reject on the socket's 'error' (the 401), which the SDK reports through its own listener.
    await new Promise((resolve) => {
      wrong.rt.socket.on('close', resolve);
      wrong.rt.socket.on('open', resolve);
    });
    expect(wrong.errors.map((error) => error.message).join(' ')).toMatch(/401/);
    expect(sim.connections).toBe(0);

    const right = await connect(sim, 'right-key');
    await right.waitFor('session.created');
    expect(sim.connections).toBe(1);
  });

  it.each(['happy-path', 'barge-in', 'correction', 'invalid-date'])(
    'when the bundled %s scenario is played through, then every line and tool call arrives as scripted',
    async (name) => {
      const played = loadScenario(name);
      const client = await connect(await simulator({ scenario: played, audioChunkIntervalMs: 0 }));
      await playWholeCall(client, played);
    },
  );

  it('when response.create carries instructions a turn is kept for (whenInstructed), then that turn is said, and an ordinary response passes it by', async () => {
    const played = loadScenario('caller-goes-silent');
    const kept = played.turns.flatMap((turn) =>
      turn.speaker === 'agent' && turn.whenInstructed !== undefined
        ? [{ asked: turn.whenInstructed, says: turn.outputs.map((o) => ('say' in o ? o.say : '')).join('') }]
        : [],
    );
    const callerLine = played.turns.find((turn) => turn.speaker === 'caller');
    expect(kept).toHaveLength(2);
    const client = await connect(await simulator({ scenario: played, audioChunkIntervalMs: 0 }));
    client.rt.send({ type: 'response.create' });
    await client.nth('response.done', 0);
    client.speak(played.audioOf(callerLine?.audio ?? ''));
    const call = await client.waitFor('response.function_call_arguments.done');
    await client.nth('response.done', 1);
    client.rt.send({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: call.call_id, output: '{"ok":true}' },
    });
    client.rt.send({ type: 'response.create' });
    await client.nth('response.done', 2);
    // Ordinary: nothing is left to say, and the kept turns are not it.
    client.rt.send({ type: 'response.create' });
    await client.nth('response.done', 3);
    expect(client.of('response.output_audio_transcript.done')).toHaveLength(2);

    for (const [index, turn] of kept.entries()) {
      // Matched inside longer instructions, case aside.
      client.rt.send({
        type: 'response.create',
        response: { instructions: `The caller is quiet: ${turn.asked.toUpperCase()}, briefly.` },
      });
      expect((await client.nth('response.output_audio_transcript.done', 2 + index)).transcript).toBe(turn.says);
      await client.nth('response.done', 4 + index);
    }
    expect(client.errors).toEqual([]);
  });

  it('when turn detection does not create responses, then the caller is transcribed but the agent waits for response.create', async () => {
    const client = await connect(await simulator({ audioChunkIntervalMs: 0 }));
    client.rt.send({
      type: 'session.update',
      session: {
        type: 'realtime',
        audio: { input: { turn_detection: { type: 'server_vad', create_response: false } } },
      },
    });
    client.rt.send({ type: 'response.create' });
    await client.waitFor('response.done');
    client.speak(CALLER_1.audio);
    await client.waitFor('conversation.item.input_audio_transcription.completed');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(client.of('response.created')).toHaveLength(1);
    client.rt.send({ type: 'response.create' });
    expect((await client.waitFor('response.function_call_arguments.done')).name).toBe('update_application');
  });

  it("when an agent line's audio file is missing, then that response fails with a server_error and the session stays open", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'permitline-scenario-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'scenario.json');
    const broken = {
      name: 'broken',
      description: 'audio missing',
      callerNumber: '+12125550100',
      turns: [{ speaker: 'agent', outputs: [{ say: 'Hello.', audio: 'missing.ulaw' }] }],
    };
    await writeFile(path, JSON.stringify(broken));
    const client = await connect(await simulator({ scenario: loadScenario(path) }));
    client.rt.send({ type: 'response.create' });
    const done = await client.waitFor('response.done');
    expect(done.response.status).toBe('failed');
    expect(done.response.status_details?.error?.type).toBe('server_error');
    client.rt.send({ type: 'response.cancel' });
    expect((await client.waitFor('error')).error.code).toBe('response_cancel_not_active');
  });

  it('when a client asks for another path, then the upgrade is refused with 404', async () => {
    const sim = await simulator();
    const socket = new WebSocket(`${sim.baseURL.replace('https:', 'wss:')}/elsewhere`, { ca: sim.ca });
    socket.on('error', () => undefined);
    const [, response] = (await once(socket, 'unexpected-response')) as [unknown, { statusCode: number }];
    expect(response.statusCode).toBe(404);
  });
});

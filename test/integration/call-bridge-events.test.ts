import { afterEach, describe, expect, it } from 'vitest';
import { decodeEnding } from '../../src/call/call-ending.ts';
import { MULAW_BYTES_PER_MS } from '../../src/protocols/media-stream-messages.ts';
import type { CallResult } from '../../src/sim/call-simulator.ts';
import { CallRepository } from '../../src/store/call-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { testDataKeys } from '../support/keys.ts';
import { latestVoiceApplication, PUBLIC_BASE_URL, startVoiceRig, type VoiceRig } from '../support/voice.ts';
import { eventually, waitUntil } from '../support/wait.ts';

/**
 * What the call bridge does with each event of a call, checked through whole calls played many times faster than
 * real time (the service paces its audio to match, MEDIA_MAX_PACE): every agent chunk is followed by a mark, the
 * transcript is kept in call time, tools run and their results go back, the model lost once is replaced and lost
 * for good sends the caller to the IVR, a session near its limit is renewed, barge-in clears and truncates. Real
 * service, the realtime simulator over TLS, the call simulator as Twilio. These are the calls `npm run mutation`
 * runs against the bridge (docs/testing.md), so they are short; the slower suites check timing at real pace.
 */
const FAST = 16;

let rig: VoiceRig | undefined;

afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

function fastRig(scenario: string, model: Parameters<typeof startVoiceRig>[1] = {}, env: Record<string, string> = {}) {
  return startVoiceRig(scenario, model, undefined, { MEDIA_MAX_PACE: String(FAST), ...env });
}

async function storedEnding(r: VoiceRig, callSid: string) {
  let stored: string | undefined;
  await eventually(async () => {
    const row = await r.service.db.execute({ sql: 'SELECT ai_ending FROM calls WHERE call_sid = ?', args: [callSid] });
    stored = (row.rows[0]?.ai_ending as string | null) ?? undefined;
    return stored !== undefined;
  }, 'the call ending is stored');
  return decodeEnding(stored);
}

async function callRow(r: VoiceRig, callSid: string) {
  let row: Record<string, unknown> | undefined;
  await eventually(async () => {
    row = (await r.service.db.execute({ sql: 'SELECT * FROM calls WHERE call_sid = ?', args: [callSid] })).rows[0];
    return row?.status === 'completed';
  }, 'the call is completed');
  return row ?? {};
}

function sentOn(r: VoiceRig, connection: number, type: string) {
  return r.model.received.filter((e) => e.connection === connection && e.type === type);
}

function instructionsOn(r: VoiceRig, connection: number): string {
  const update = sentOn(r, connection, 'session.update')[0];
  const instructions = (update?.event as { session?: { instructions?: unknown } } | undefined)?.session?.instructions;
  return typeof instructions === 'string' ? instructions : '';
}

function expectCleanCall(result: CallResult, endedBy: CallResult['endedBy']) {
  expect(result.errors).toEqual([]);
  expect(result.protocolViolations).toEqual([]);
  expect(result.endedBy).toBe(endedBy);
}

describe('the call bridge through a whole call', () => {
  it('when the happy path is played, then every chunk is marked and heard, the transcript follows call time, tool results go back and the call ends once the goodbye is heard', async () => {
    const r = (rig = await fastRig('happy-path'));
    const result = await r.call({ realTimeFactor: FAST });

    expectCleanCall(result, 'service');
    expect(result.clears).toEqual([]);
    expect(result.agentAudioMsUnplayed).toBe(0);
    // Each chunk the model sent reached the phone followed by its own mark, and every mark came back.
    const agentAudioMs = r.scenario.turns
      .flatMap((turn) => (turn.speaker === 'agent' ? turn.outputs : []))
      .flatMap((output) => ('audio' in output ? [output.audio] : []))
      .reduce((total, file) => total + r.scenario.audioOf(file).length / MULAW_BYTES_PER_MS, 0);
    expect(result.agentAudioMsPlayed).toBeCloseTo(agentAudioMs, -2);
    expect(result.marksEchoed.length).toBeGreaterThan(r.scenario.turns.length);
    expect(new Set(result.marksEchoed).size).toBe(result.marksEchoed.length);
    // The caller's audio went on to the model, all of it: the call clock counts what was received.
    // (A frame or two may cross the service's close of the stream.)
    const appended = sentOn(r, 1, 'input_audio_buffer.append').length;
    expect(appended).toBeLessThanOrEqual(result.framesSent);
    expect(appended).toBeGreaterThanOrEqual(result.framesSent - 5);

    // One response.create to greet, one after each round of tool results; none while tools were still running.
    const toolOutputs = r.model.toolOutputs(1);
    expect(toolOutputs.length).toBeGreaterThan(3);
    expect(sentOn(r, 1, 'response.create').length).toBeGreaterThan(1);
    for (const output of toolOutputs) expect(() => JSON.parse(output.output) as unknown).not.toThrow();

    const application = await latestVoiceApplication(r);
    expect(application?.status).toBe('submitted');
    expect(await storedEnding(r, result.callSid)).toEqual({ kind: 'agent-finished', goodbyeHeard: true });

    const row = await callRow(r, result.callSid);
    expect(Number(row.cost_usd)).toBeGreaterThan(0);
    const usage = JSON.parse(row.usage_detail as string) as Record<string, number>;
    expect(usage.audio_out).toBeGreaterThan(0);
    expect(usage.transcription_in).toBeGreaterThan(0);
    // One latency per answer the agent gave after the caller spoke.
    const callerTurns = r.scenario.turns.filter((turn) => turn.speaker === 'caller').length;
    const latencies = JSON.parse(row.agent_latencies_ms as string) as number[];
    expect(latencies).toHaveLength(callerTurns);
    for (const ms of latencies) expect(ms).toBeGreaterThanOrEqual(0);

    const transcript = await new CallRepository(r.service.db, new FieldCipher(testDataKeys())).transcript(
      result.callSid,
    );
    const spoken = transcript.filter((t) => t.role !== 'tool');
    expect(spoken.map((t) => ({ role: t.role, text: t.text }))).toEqual(
      r.scenario.turns.flatMap((turn) =>
        turn.speaker === 'caller'
          ? [{ role: 'caller', text: turn.say }]
          : turn.outputs.flatMap((o) => ('say' in o ? [{ role: 'agent', text: o.say }] : [])),
      ),
    );
    const tools = transcript.filter((t) => t.role === 'tool').map((t) => t.text);
    expect(tools).toHaveLength(toolOutputs.length);
    expect(tools[0]).toMatch(/^update_application: /);
    expect(tools.at(-1)).toMatch(/^end_call: /);
    // Call time: the first words are the agent's at the start, the caller's come later, and nothing goes back.
    const offsets = transcript.map((t) => t.offsetMs);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(spoken.find((t) => t.role === 'caller')?.offsetMs).toBeGreaterThan(1000);
    expect(offsets.at(-1)).toBeLessThanOrEqual(result.framesSent * 20);
  }, 60_000);

  it('when the caller talks over the agent, then the phone is cleared, the response cancelled and the item truncated at what was heard', async () => {
    const r = (rig = await fastRig('barge-in'));
    const result = await r.call({ realTimeFactor: 4 });

    expectCleanCall(result, 'service');
    expect(result.clears).toHaveLength(1);
    const [truncation] = r.model.truncations();
    const sentence = r.scenario.audioOf('agent-02.ulaw').length / MULAW_BYTES_PER_MS;
    // The caller came in 1.5 s into that sentence: it was truncated after that, well before its end.
    expect(truncation?.audio_end_ms).toBeGreaterThanOrEqual(1500);
    expect(truncation?.audio_end_ms).toBeLessThan(sentence - 500);
    expect(r.model.received.filter((e) => e.type === 'response.cancel').length).toBeLessThanOrEqual(1);
    expect(r.service.log.text).toContain('barge-in: agent audio cleared and truncated');
    expect((await latestVoiceApplication(r))?.fields.businessName).toBe('Sunny Side Lemonade');
    expect(await storedEnding(r, result.callSid)).toEqual({ kind: 'agent-finished', goodbyeHeard: true });
  }, 60_000);
});

describe('the model lost or renewed mid-call', () => {
  async function firstAnswersSaved(r: VoiceRig) {
    await eventually(
      async () => {
        const drafts = await r.service.db.execute("SELECT id FROM applications WHERE channel = 'voice'");
        return drafts.rows.length > 0 && (await latestVoiceApplication(r))?.fields.businessName === 'Taco Loco';
      },
      'the first answers are saved',
      30_000,
    );
  }

  it('when the model socket is cut, then a new session is told the saved answers, greets again and hears the caller', async () => {
    const r = (rig = await fastRig('happy-path'));
    const call = r.call({ realTimeFactor: FAST, hangUpAfterTurn: 3 });
    await firstAnswersSaved(r);
    r.model.dropConnection(1);
    const result = await call;

    expectCleanCall(result, 'caller');
    expect(r.model.connections).toBe(2);
    expect(instructionsOn(r, 2)).toContain('dropped for a moment');
    expect(instructionsOn(r, 2)).toContain('Taco Loco');
    expect(sentOn(r, 2, 'response.create').length).toBeGreaterThan(0);
    expect(sentOn(r, 2, 'input_audio_buffer.append').length).toBeGreaterThan(10);
    expect(r.service.log.text).toContain('model lost mid-call: reconnecting');
    expect(r.service.log.text).toContain('model reconnected');
    expect(await storedEnding(r, result.callSid)).toEqual({ kind: 'caller-hung-up' });
    await waitUntil(() => r.model.openConnections === 0, 'no model socket is left open');
  }, 60_000);

  it('when the model is cut and no new session can be had, then the call goes on in the IVR with the answers kept', async () => {
    const r = (rig = await fastRig('happy-path'));
    const call = r.call({ realTimeFactor: FAST });
    await firstAnswersSaved(r);
    r.model.setApiKey('a-key-the-service-does-not-have');
    r.model.dropConnection(1);
    const result = await call;

    expectCleanCall(result, 'service');
    expect(result.connectActionTwiml).toContain(`<Redirect method="POST">${PUBLIC_BASE_URL}/twilio/ivr</Redirect>`);
    expect(await storedEnding(r, result.callSid)).toEqual({
      kind: 'model-lost',
      detail: 'model session closed (1006); reconnect failed',
    });
    expect((await latestVoiceApplication(r))?.fields).toMatchObject({ businessName: 'Taco Loco' });
  }, 60_000);

  it('when the model reports a fatal error, then the session is replaced once, and a second loss ends the call to the IVR', async () => {
    const r = (rig = await fastRig('happy-path'));
    const call = r.call({ realTimeFactor: FAST });
    await firstAnswersSaved(r);
    r.model.refuseMidCall(1, 'insufficient_quota', 'You exceeded your current quota.');
    await waitUntil(() => r.model.connections === 2, 'a second session is opened');
    await waitUntil(() => sentOn(r, 2, 'response.create').length > 0, 'the second session greets again');
    r.model.dropConnection(2);
    const result = await call;

    expectCleanCall(result, 'service');
    expect(r.model.connections).toBe(2);
    expect(r.service.log.text).toContain('realtime model error');
    expect(result.connectActionTwiml).toContain(`<Redirect method="POST">${PUBLIC_BASE_URL}/twilio/ivr</Redirect>`);
    // The second loss had no reconnect left: it ended the call as it was, without trying again.
    expect(await storedEnding(r, result.callSid)).toEqual({
      kind: 'model-lost',
      detail: 'model session closed (1006)',
    });
  }, 60_000);

  it('when a session is near its time limit, then the call moves to a new one between turns, asked for no greeting', async () => {
    const r = (rig = await fastRig(
      'happy-path',
      { sessionLifetimeSeconds: 4 },
      { MODEL_SESSION_RENEW_BEFORE_MS: '3500' },
    ));
    const result = await r.call({ realTimeFactor: 4, hangUpAfterTurn: 0, timeoutMs: 30_000 });

    expectCleanCall(result, 'caller');
    expect(r.model.connections).toBeGreaterThanOrEqual(2);
    expect(instructionsOn(r, 2)).toContain('continues a call already in progress');
    expect(r.model.received.some((e) => e.connection > 1 && e.type === 'response.create')).toBe(false);
    expect(
      r.model.received.filter((e) => e.connection > 1 && e.type === 'input_audio_buffer.append').length,
    ).toBeGreaterThan(10);
    expect(r.service.log.text).toContain('model session renewed');
    expect(r.service.log.text).not.toContain('model lost mid-call');
    await waitUntil(() => r.model.openConnections === 0, 'no model socket is left open');
  }, 60_000);
});

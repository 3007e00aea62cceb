import { afterEach, describe, expect, it } from 'vitest';
import { MULAW_BYTES_PER_MS } from '../../src/protocols/media-stream-messages.ts';
import { latestVoiceApplication, PUBLIC_BASE_URL, startVoiceRig, type VoiceRig } from '../support/voice.ts';
import { waitUntil } from '../support/wait.ts';

/** The conversations that go off the happy path, each over real sockets with its own scenario. */
let rig: VoiceRig | undefined;

afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

function audioMs(r: VoiceRig, file: string): number {
  return r.scenario.audioOf(file).length / MULAW_BYTES_PER_MS;
}

describe('conversations off the happy path', () => {
  it('when the caller talks over the agent, then Twilio is cleared, the response cancelled and the item truncated at what was heard (within 40 ms)', async () => {
    rig = await startVoiceRig('barge-in');
    const result = await rig.call({ realTimeFactor: 1 });

    expect(result.errors).toEqual([]);
    expect(result.clears).toHaveLength(1);
    const [truncation] = rig.model.truncations();
    expect(truncation).toBeDefined();
    const heardAtClear = audioMs(rig, 'agent-02.ulaw') - (result.clears[0]?.droppedMs ?? 0);
    expect(Math.abs((truncation?.audio_end_ms ?? 0) - heardAtClear)).toBeLessThanOrEqual(40);
    // The caller started after 1.5 s of that sentence; the server's VAD needs a moment to be sure it is speech.
    expect(truncation?.audio_end_ms).toBeGreaterThanOrEqual(1500);
    expect(truncation?.audio_end_ms).toBeLessThan(3000);
    const cancels = rig.model.received.filter((e) => e.type === 'response.cancel');
    expect(cancels.length).toBeLessThanOrEqual(1);
    expect((await latestVoiceApplication(rig))?.fields.businessName).toBe('Sunny Side Lemonade');
    expect(result.endedBy).toBe('service');
    // The agent said goodbye before a submit (the caller chose to stop): Twilio is told to say the answers are kept and hang up, not to start the IVR.
    expect((await latestVoiceApplication(rig))?.status).toBe('draft');
    expect(result.connectActionTwiml).toMatch(
      /<Say>Your answers so far are saved\. You can call back within seven days to finish, or apply online at [^<]+\. Goodbye\.<\/Say><Hangup\/><\/Response>$/,
    );
    expect(result.connectActionTwiml).not.toContain('<Redirect');
  }, 60_000);

  it('when the caller corrects a field mid-call, then the corrected value is the one stored', async () => {
    rig = await startVoiceRig('correction');
    const result = await rig.call({ realTimeFactor: 2 });

    expect(result.endedBy).toBe('service');
    expect((await latestVoiceApplication(rig))?.fields.businessName).toBe('Taco Loco Express');
  }, 60_000);

  it('when the caller gives a date that does not exist, then the problem is told back in plain words and the corrected date is stored', async () => {
    rig = await startVoiceRig('invalid-date');
    const result = await rig.call({ realTimeFactor: 2 });

    expect(result.endedBy).toBe('service');
    const outputs = rig.model.toolOutputs().map((o) => JSON.parse(o.output) as { problems?: string[] });
    expect(outputs.flatMap((o) => o.problems ?? [])).toEqual([
      'We could not read "February 30th" as a date; please give a date such as March 3, 2027 or 03/03/2027.',
    ]);
    const stored = (await latestVoiceApplication(rig))?.fields.eventStartDate;
    expect(stored).toMatch(/^\d{4}-03-03$/);
  }, 60_000);

  it('when the caller hangs up mid-call, then every answer so far is kept, the model socket closes and nothing is left open', async () => {
    rig = await startVoiceRig('happy-path');
    const result = await rig.call({ realTimeFactor: 2, hangUpAfterTurn: 1 });
    const r = rig;

    expect(result.endedBy).toBe('caller');
    await waitUntil(() => r.service.callOrchestrator.liveCalls === 0, 'the call is released');
    await waitUntil(() => r.model.openConnections === 0, 'the model socket is closed');
    const application = await latestVoiceApplication(r);
    expect(application?.status).toBe('draft');
    expect(application?.fields).toMatchObject({ permitType: 'temporary_food_event' });
    const calls = await r.service.db.execute('SELECT status FROM calls');
    expect(calls.rows).toEqual([expect.objectContaining({ status: 'completed' })]);
  }, 60_000);

  it('when the model refuses the connection (a revoked key), then the stream is closed and the call goes on in the keypad IVR', async () => {
    rig = await startVoiceRig('happy-path', {}, 'revoked-key');
    const result = await rig.call({ realTimeFactor: 2, timeoutMs: 20_000 });

    expect(result.endedBy).toBe('service');
    expect(result.connectActionTwiml).toContain(`<Redirect method="POST">${PUBLIC_BASE_URL}/twilio/ivr</Redirect>`);
    expect(rig.model.openConnections).toBe(0);
    expect(rig.service.log.text).toContain('could not connect the call to the model');
    expect(rig.service.callOrchestrator.liveCalls).toBe(0);
  }, 30_000);

  it('when a caller with an unfinished draft calls back, then the call continues that draft and the agent is told what was given', async () => {
    rig = await startVoiceRig('happy-path');
    await rig.call({ realTimeFactor: 2, hangUpAfterTurn: 1 });
    const r = rig;
    await waitUntil(() => r.service.callOrchestrator.liveCalls === 0, 'the first call is released');
    const first = await latestVoiceApplication(r);

    await rig.call({ realTimeFactor: 2, hangUpAfterTurn: 0 });
    const calls = await r.service.db.execute('SELECT DISTINCT application_id FROM calls');
    expect(calls.rows.map((row) => row.application_id)).toEqual([first?.id]);
    const instructions = r.model.received
      .filter((e) => e.type === 'session.update' && e.connection === r.model.connections)
      .map((e) => JSON.stringify(e.event));
    expect(instructions.join('')).toContain('started an application earlier');
    expect(instructions.join('')).toContain('Permit type: Temporary food event');
  }, 60_000);
});

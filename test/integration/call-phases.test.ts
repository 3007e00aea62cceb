import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIvrCall } from '../../src/sim/ivr-caller.ts';
import { CallRepository } from '../../src/store/call-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { testDataKeys } from '../support/keys.ts';
import { newCallSid } from '../support/media-socket.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { PUBLIC_BASE_URL, startVoiceRig, TWILIO_AUTH_TOKEN, type VoiceRig } from '../support/voice.ts';

/**
 * Where a call is, as the staff live page reads it from calls.phase: a
 * simulated call through the real voice path (call simulator ⇄ service ⇄
 * realtime simulator) is watched in its row while it runs, and a call the
 * keypad IVR answers is marked as such.
 */

describe('call phases', () => {
  let rig: VoiceRig;
  let ivrOnly: TestService;

  beforeAll(async () => {
    rig = await startVoiceRig('happy-path');
    // No model key: every call goes to the keypad IVR.
    ivrOnly = await startTestService({ PUBLIC_BASE_URL, TWILIO_AUTH_TOKEN });
  }, 60_000);
  afterAll(async () => {
    await rig.close();
    await ivrOnly.close();
  });

  it('when a caller goes through the happy path, then the row moves greeting → collecting → read-back', async () => {
    const callSid = newCallSid();
    const seen: (string | null)[] = [];
    const watch = { done: false };
    const watching = (async () => {
      while (!watch.done) {
        const row = (
          await rig.service.db.execute({ sql: 'SELECT phase FROM calls WHERE call_sid = ?', args: [callSid] })
        ).rows[0];
        const phase = row === undefined ? null : (row.phase as string | null);
        if (seen.at(-1) !== phase) seen.push(phase);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    const result = await rig.call({ callSid, realTimeFactor: 2 });
    await rig.service.callOrchestrator.finished();
    watch.done = true;
    await watching;

    expect(result.endedBy).toBe('service');
    const phases = seen.filter((p) => p !== null);
    expect(phases).toEqual(['greeting', 'collecting', 'read-back']);
    const [row] = (await rig.service.db.execute({ sql: 'SELECT phase FROM calls WHERE call_sid = ?', args: [callSid] }))
      .rows;
    expect(row?.phase).toBe('read-back');
  }, 120_000);

  it('when the keypad IVR answers a call, then its phase is ivr, and stays so', async () => {
    const callSid = newCallSid();
    const result = await runIvrCall({
      serviceUrl: ivrOnly.url,
      publicBaseUrl: PUBLIC_BASE_URL,
      authToken: TWILIO_AUTH_TOKEN,
      callSid,
      from: '+13125550166',
      inputs: [{ silence: true }, { press: '3' }],
    });
    expect(result.transcript.length).toBeGreaterThan(0);
    const [row] = (
      await ivrOnly.db.execute({ sql: 'SELECT phase, ivr_at FROM calls WHERE call_sid = ?', args: [callSid] })
    ).rows;
    expect(row?.phase).toBe('ivr');
    expect(row?.ivr_at).not.toBeNull();
    // A write from the AI path arriving late (it lost the model, the IVR took over) does not move the call back.
    await new CallRepository(ivrOnly.db, new FieldCipher(testDataKeys())).recordPhase(callSid, 'collecting');
    const [after] = (await ivrOnly.db.execute({ sql: 'SELECT phase FROM calls WHERE call_sid = ?', args: [callSid] }))
      .rows;
    expect(after?.phase).toBe('ivr');
  }, 60_000);
});

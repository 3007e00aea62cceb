import { afterEach, describe, expect, it } from 'vitest';
import { ApplicationRepository } from '../../src/store/application-repository.ts';
import { CallRepository } from '../../src/store/call-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { testDataKeys } from '../support/keys.ts';
import { startVoiceRig, type VoiceRig } from '../support/voice.ts';

/**
 * A permit tool fails on our side while two calls are live: the database
 * refuses one call's answers (a real libSQL error, raised by a trigger that
 * matches only that call). That call ends, its caller is told the answers
 * given so far are kept, and the other call goes on to submit. Vitest fails
 * the run on any unhandled rejection, so a tool failure that escaped its
 * handler would fail this test too.
 */

const FAILING_CALL = `CA${'f'.repeat(32)}`;
const HEALTHY_CALL = `CA${'a'.repeat(32)}`;

let rig: VoiceRig | undefined;

afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function statusOf(r: VoiceRig, callSid: string): Promise<string | undefined> {
  const cipher = new FieldCipher(testDataKeys());
  const applicationId = (await new CallRepository(r.service.db, cipher).find(callSid))?.applicationId;
  if (applicationId === undefined) return undefined;
  return (await new ApplicationRepository(r.service.db, cipher).find(applicationId))?.status;
}

describe('a permit tool that fails during a call', () => {
  it('when the database refuses one live call’s answers, then only that call ends, its caller hears the saved answers are kept, and the other call submits', async () => {
    rig = await startVoiceRig('happy-path');
    const r = rig;
    await r.service.db.execute(`
      CREATE TRIGGER refuse_one_calls_answers BEFORE INSERT ON application_fields
      WHEN NEW.application_id IN (SELECT application_id FROM calls WHERE call_sid = '${FAILING_CALL}')
      BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`);

    const [failing, healthy] = await Promise.all([
      r.call({ callSid: FAILING_CALL, scenario: { ...r.scenario, callerNumber: '+13125550111' }, realTimeFactor: 4 }),
      r.call({ callSid: HEALTHY_CALL, scenario: { ...r.scenario, callerNumber: '+13125550112' }, realTimeFactor: 4 }),
    ]);

    // The first answer is the first update_application: the call ends there, from our side.
    expect(failing.endedBy).toBe('service');
    expect(failing.callerTurnsSpoken).toBe(1);
    expect(await r.service.callOrchestrator.endingOf(FAILING_CALL)).toEqual({
      kind: 'tool-failed',
      tool: 'update_application',
    });
    expect(failing.connectActionTwiml).toContain('Sorry, something went wrong on our side.');
    expect(failing.connectActionTwiml).toContain('Your answers so far are saved.');
    expect(failing.connectActionTwiml).toContain('call back within seven days');
    expect(failing.connectActionTwiml).toContain('<Hangup/>');
    expect(failing.connectActionTwiml).not.toContain('<Redirect');
    expect(await statusOf(r, FAILING_CALL)).toBe('draft');

    expect(healthy.endedBy).toBe('service');
    expect(healthy.errors).toEqual([]);
    expect(await statusOf(r, HEALTHY_CALL)).toBe('submitted');
    expect(await r.service.callOrchestrator.endingOf(HEALTHY_CALL)).toEqual({
      kind: 'agent-finished',
      goodbyeHeard: true,
    });

    const failure = r.service.log.text
      .split('\n')
      .filter((line) => line.includes('a permit tool failed'))
      .map((line) => JSON.parse(line) as { callSid?: string; tool?: string });
    expect(failure).toEqual([expect.objectContaining({ callSid: FAILING_CALL, tool: 'update_application' })]);
  }, 60_000);
});

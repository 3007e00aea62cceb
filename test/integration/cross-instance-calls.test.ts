import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationRepository } from '../../src/store/application-repository.ts';
import { CallRepository } from '../../src/store/call-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { testDataKeys } from '../support/keys.ts';
import { answerCall } from '../support/media-socket.ts';
import type { TestService } from '../support/service.ts';
import { eventually, waitUntil } from '../support/wait.ts';
import { startSecondInstance, startVoiceRig, type VoiceRig } from '../support/voice.ts';

/**
 * Behind a load balancer a call's three requests land where they land: the voice webhook on instance A, the media
 * stream on instance B, the <Connect action> on A again (docs/scaling.md). Two real instances over one database
 * and one realtime simulator; the call simulator sends the stream to B and everything else to A.
 */

const FAILING_CALL = `CA${'e'.repeat(32)}`;

let rig: VoiceRig;
let other: TestService;

beforeAll(async () => {
  rig = await startVoiceRig('happy-path');
  other = await startSecondInstance(rig);
});
afterAll(async () => {
  await other.close();
  await rig.close();
});

const cipher = new FieldCipher(testDataKeys());

async function applicationStatusOf(callSid: string): Promise<string | undefined> {
  const applicationId = (await new CallRepository(rig.service.db, cipher).find(callSid))?.applicationId;
  if (applicationId === undefined) return undefined;
  return (await new ApplicationRepository(rig.service.db, cipher).find(applicationId))?.status;
}

describe('a call whose stream lands on another instance than its webhook', () => {
  it('when the webhook is answered by A and the stream runs on B, then the call submits with its transcript in order, A’s early session is closed at once and A hangs up after the stream', async () => {
    const opened = rig.model.connections;
    const result = await rig.call({
      streamServiceUrl: other.url,
      scenario: { ...rig.scenario, callerNumber: '+13125550121' },
      realTimeFactor: 4,
    });

    expect(result.errors).toEqual([]);
    expect(await applicationStatusOf(result.callSid)).toBe('submitted');
    // A opened a session at the webhook, B opened its own at the stream: two, and A's did not wait out its TTL.
    expect(rig.model.connections - opened).toBe(2);
    expect(rig.service.callOrchestrator.arrivingCalls).toBe(0);
    expect(rig.service.log.text).toContain('stream started elsewhere (or the call is over): early session closed');
    const turns = await new CallRepository(rig.service.db, cipher).transcript(result.callSid);
    const positions = turns.map((turn) => turn.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(turns.filter((turn) => turn.role === 'caller')).toHaveLength(
      rig.scenario.turns.filter((turn) => turn.speaker === 'caller').length,
    );
    expect(result.connectActionTwiml).toContain('<Hangup/>');
  }, 60_000);

  it('when the stream on B ends because our storage failed, then the <Connect action> on A tells the caller so (the ending is read from the database), rather than offering the IVR', async () => {
    await rig.service.db.execute(`
      CREATE TRIGGER refuse_cross_instance_answers BEFORE INSERT ON application_fields
      WHEN NEW.application_id IN (SELECT application_id FROM calls WHERE call_sid = '${FAILING_CALL}')
      BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`);

    const result = await rig.call({
      callSid: FAILING_CALL,
      streamServiceUrl: other.url,
      scenario: { ...rig.scenario, callerNumber: '+13125550122' },
      realTimeFactor: 4,
    });

    expect(result.endedBy).toBe('service');
    expect(await other.callOrchestrator.endingOf(FAILING_CALL)).toEqual({
      kind: 'tool-failed',
      tool: 'update_application',
    });
    expect(result.connectActionTwiml).toContain('Sorry, something went wrong on our side.');
    expect(result.connectActionTwiml).toContain('<Hangup/>');
    expect(result.connectActionTwiml).not.toContain('<Redirect');
    expect(await applicationStatusOf(FAILING_CALL)).toBe('draft');
  }, 60_000);

  it('when the instance that held the stream wrote no ending (it died with the call), then the <Connect action> elsewhere waits a moment and offers the IVR', async () => {
    const calls = new CallRepository(rig.service.db, cipher);
    const callSid = `CA${'d'.repeat(32)}`;
    await calls.recordIncoming(callSid, '+13125550123', 'in-progress');
    expect(await calls.claimStream(callSid)).toBe('claimed');

    const started = performance.now();
    expect(await rig.service.callOrchestrator.endingOf(callSid)).toBeUndefined();
    // It waited for the other instance's write, but only briefly.
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_500);
  });

  it('when a webhook is answered and its stream is claimed by another instance, then the early session is closed within seconds instead of at its TTL', async () => {
    const calls = new CallRepository(rig.service.db, cipher);
    const callSid = `CA${'c'.repeat(32)}`;
    const before = rig.model.openConnections;
    expect((await answerCall(rig.service.url, callSid, '+13125550124')).status).toBe(200);
    await waitUntil(() => rig.model.openConnections > before, 'the early session is open');
    expect(rig.service.callOrchestrator.arrivingCalls).toBe(1);

    expect(await calls.claimStream(callSid)).toBe('claimed'); // as instance B's socket does

    await eventually(
      () => Promise.resolve(rig.service.callOrchestrator.arrivingCalls === 0),
      'A gives up the session it opened early',
    );
    await waitUntil(() => rig.model.openConnections === before, 'the early model session is closed');
  });
});

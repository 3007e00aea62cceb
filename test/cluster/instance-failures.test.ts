import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isReady } from '../../src/sim/cluster/service-instance.ts';
import type { ServiceInstance } from '../../src/sim/cluster/service-instance.ts';
import type { CallResult } from '../../src/sim/call-simulator.ts';
import { newSid } from '../../src/sim/twilio-stream-frames.ts';
import { ApplicationRepository } from '../../src/store/application-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import {
  callerNumber,
  hasClusterTools,
  reportMissingClusterTools,
  startTestCluster,
  transcriptProblem,
  type TestCluster,
} from '../support/cluster.ts';
import { testDataKeys } from '../support/keys.ts';
import { queueSummaries } from '../support/sms.ts';
import { eventually, pause, waitUntil } from '../support/wait.ts';

/**
 * Instances of a three-instance cluster going away with calls live: a rolling
 * restart (SIGTERM: the instance drains, the balancer stops sending it calls,
 * it comes back) and a crash (SIGKILL: the answers so far are kept, the caller
 * calls back on another instance, its claimed text is taken over after the
 * lease). No answer lost, no text sent twice.
 */

reportMissingClusterTools('the instance failure tests');

const LIVE_CALLS = 10;
// The text a crashed worker held hangs this long at "Twilio"; the lease is then two of these (and a retry pause).
const SMS_REQUEST_TIMEOUT_MS = 15_000;

describe.skipIf(!hasClusterTools)('instances of a cluster going away during calls', () => {
  let cluster: TestCluster;
  let applications: ApplicationRepository;
  beforeAll(async () => {
    cluster = await startTestCluster(3, {
      DRAIN_TIMEOUT_MS: '60000',
      SMS_REQUEST_TIMEOUT_MS: String(SMS_REQUEST_TIMEOUT_MS),
      // Raised to the floor the request timeout sets (2 × 15 s + the retry pause), well below the 60 s default.
      SMS_LEASE_MS: '1000',
    });
    applications = new ApplicationRepository(cluster.db, new FieldCipher(testDataKeys()));
  }, 90_000);
  afterAll(async () => {
    await cluster.stop();
  }, 90_000);

  /** The instances the balancer sends `n` requests to, in order. */
  async function servedBy(n: number): Promise<string[]> {
    const names: string[] = [];
    for (let i = 0; i < n; i++) {
      const answer = await fetch(`${cluster.url}/health/live`);
      names.push(answer.headers.get('x-permitline-instance') ?? '');
    }
    return names;
  }

  /** Every call submitted, with its transcript, and its summary text sent exactly once. */
  async function expectKept(results: readonly CallResult[]): Promise<void> {
    const expected = cluster.expectedSpokenTurns();
    const references: string[] = [];
    for (const result of results) {
      const where = `${result.callSid} (${JSON.stringify(result.servedBy)})`;
      const call = await cluster.calls.find(result.callSid);
      const application = await applications.find(call?.applicationId ?? '');
      expect(application?.status, where).toBe('submitted');
      references.push(application?.reference ?? '');
      const transcript = await cluster.transcript(result.callSid);
      expect(transcriptProblem(transcript, expected, result.clears.length), where).toBeUndefined();
    }
    await waitUntil(
      () => references.every((ref) => cluster.twilio.messages.some((m) => m.body.includes(ref))),
      'every summary text is sent',
      30_000,
    );
    await pause(1_000); // a second send would come after the first
    for (const ref of references)
      expect(
        cluster.twilio.messages.filter((m) => m.body.includes(ref)),
        ref,
      ).toHaveLength(1);
  }

  it('when one instance is restarted (SIGTERM) during 10 live calls, then its calls finish, the others are untouched, new calls go elsewhere until it is back, and no answer or text is lost or doubled', async () => {
    const streamOf = new Map<number, string>();
    const live = Array.from({ length: LIVE_CALLS }, async (_, n) => {
      await pause(n * 200);
      // One more request before each call shifts round robin's phase, so the streams spread over the instances.
      await servedBy(1);
      return cluster.call(callerNumber(20 + n), {
        realTimeFactor: 3,
        onEvent: (event) => {
          if (event.type === 'stream-opened') streamOf.set(n, event.servedBy ?? '');
        },
      });
    });
    await waitUntil(() => streamOf.size === LIVE_CALLS, 'every call is streaming', 30_000);
    const streamsOn = (name: string) => [...streamOf.values()].filter((s) => s === name).length;
    expect(cluster.instances.filter((instance) => streamsOn(instance.name) > 0).length).toBeGreaterThan(1);
    const target: ServiceInstance =
      cluster.instances.toSorted((a, b) => streamsOn(b.name) - streamsOn(a.name))[0] ?? cluster.instances[0]!;
    const liveOnTarget = streamsOn(target.name);

    target.terminate();
    await eventually(async () => !(await isReady(target.url)), 'its readiness turns false', 5_000);
    // Out of rotation once the balancer's checks have seen it: then nothing new reaches it.
    await eventually(
      async () => (await servedBy(6)).every((name) => name !== target.name),
      'the balancer stops sending it requests',
      10_000,
    );
    const during = await Promise.all([0, 1, 2].map((n) => cluster.call(callerNumber(40 + n), { realTimeFactor: 4 })));
    for (const result of during) expect(Object.values(result.servedBy)).not.toContain(target.name);

    const liveResults = await Promise.all(live);
    // It exits by itself once its calls are over, well before the drain timeout, and cleanly.
    expect(await target.exited()).toEqual({ code: 0, signal: null });
    for (const result of liveResults) {
      expect(result.errors).toEqual([]);
      expect(result.endedBy).toBe('service');
    }
    expect(liveResults.filter((r) => r.servedBy.stream === target.name)).toHaveLength(liveOnTarget);

    await target.restart();
    await eventually(
      async () => (await servedBy(6)).includes(target.name),
      'the balancer sends it requests again',
      10_000,
    );
    const after = await Promise.all([0, 1, 2].map((n) => cluster.call(callerNumber(50 + n), { realTimeFactor: 4 })));
    expect(after.flatMap((r) => Object.values(r.servedBy))).toContain(target.name);

    for (const result of [...during, ...after]) {
      expect(result.errors).toEqual([]);
      expect(result.endedBy).toBe('service');
    }
    await expectKept([...liveResults, ...during, ...after]);
  }, 240_000);

  it('when an instance is killed (SIGKILL) mid-call, then the answers so far are kept, a call-back resumes the draft on another instance, and the text it held is sent once, after its lease', async () => {
    // A text claimed by a worker and stuck at "Twilio" when its instance dies.
    cluster.twilio.script({ kind: 'hang' });
    const [heldApplication = ''] = await queueSummaries(cluster.db, 1, () => callerNumber(90), 5000);
    let owner = '';
    await eventually(
      async () => {
        const row = await cluster.db.execute({
          sql: "SELECT lease_owner FROM sms_outbox WHERE application_id = ? AND status = 'sending'",
          args: [heldApplication],
        });
        owner = typeof row.rows[0]?.lease_owner === 'string' ? row.rows[0].lease_owner : '';
        return owner !== '';
      },
      'a worker claims the text',
      10_000,
    );
    // The owner is host:pid:random.
    const target = cluster.instances.find((instance) => owner.split(':')[1] === String(instance.pid));
    if (target === undefined) throw new Error(`no instance has the pid in ${owner}`);

    // A caller streaming on that instance (the balancer placed the stream there; every request goes through it).
    const caller = callerNumber(91);
    const callSid = newSid('CA');
    const first = cluster.call(caller, { callSid, streamServiceUrl: target.url, realTimeFactor: 4 });
    let applicationId = '';
    await eventually(
      async () => {
        applicationId = (await cluster.calls.find(callSid))?.applicationId ?? '';
        const fields = (await applications.find(applicationId))?.fields;
        return fields?.applicantName !== undefined;
      },
      'the caller has given their name',
      30_000,
    );
    target.kill();
    expect((await target.exited()).signal).toBe('SIGKILL');
    const cut = await first;
    // Twilio asks the <Connect> action when the stream breaks: another instance sends the caller on to the keypad.
    expect(cut.connectActionTwiml).toContain('/twilio/ivr</Redirect>');
    expect(cut.servedBy.connectAction).not.toBe(target.name);
    expect(cut.callerTurnsSpoken).toBeLessThan(cluster.expectedSpokenTurns().filter((t) => t.role === 'caller').length);

    const kept = await applications.find(applicationId);
    expect(kept?.status).toBe('draft');
    expect(kept?.fields).toMatchObject({ permitType: 'temporary_food_event', applicantName: 'Rosa Delgado' });

    const callBack = await cluster.call(caller, { realTimeFactor: 4 });
    expect(callBack.errors).toEqual([]);
    expect(callBack.endedBy).toBe('service');
    expect(Object.values(callBack.servedBy)).not.toContain(target.name);
    expect((await cluster.calls.find(callBack.callSid))?.applicationId).toBe(applicationId);
    expect(
      cluster.model.received.some(
        (e) => e.type === 'session.update' && JSON.stringify(e.event).includes('started an application earlier'),
      ),
    ).toBe(true);
    await expectKept([callBack]);

    // The held text: nobody sends it while the dead worker's lease lasts, then another instance does, once.
    const heldReference = (await applications.find(heldApplication))?.reference ?? 'none';
    await waitUntil(
      () => cluster.twilio.messages.some((m) => m.body.includes(heldReference)),
      'the held text is sent after the lease',
      3 * SMS_REQUEST_TIMEOUT_MS,
    );
    await pause(1_000);
    expect(cluster.twilio.messages.filter((m) => m.body.includes(heldReference))).toHaveLength(1);
  }, 180_000);
});

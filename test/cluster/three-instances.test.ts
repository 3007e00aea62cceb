import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callerNumber,
  hasClusterTools,
  reportMissingClusterTools,
  startTestCluster,
  transcriptProblem,
  type TestCluster,
} from '../support/cluster.ts';
import { INSTANCE_HEADER } from '../../src/sim/cluster/haproxy-config.ts';
import { eventFormFields, FormClient } from '../support/form-client.ts';
import { queueSummaries } from '../support/sms.ts';
import { addStaffUser, StaffClient } from '../support/staff.ts';
import { eventually, pause } from '../support/wait.ts';

/**
 * A three-instance cluster behind HAProxy. Calls: round robin puts a call's
 * webhook and its media stream on different instances for most calls, and
 * every call still submits with its whole transcript in order. Shared work:
 * the three instances' SMS workers drain one outbox, each text sent once.
 * Shared limits: the web form's per-address limit and the staff sign-in
 * lockout hold however the balancer spreads the requests.
 */

reportMissingClusterTools('the three-instance cluster tests');

const CALLS = 20;
// Starts spread a little, as calls arrive on a phone line, so the webhooks do not all land in one instant.
const START_SPACING_MS = 100;

describe.skipIf(!hasClusterTools)('a cluster of three instances behind HAProxy', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster(3, { RATE_LIMIT_FORM_POSTS_PER_HOUR: String(FORM_LIMIT) });
  }, 90_000);
  afterAll(async () => {
    await cluster.stop();
  }, 60_000);

  it('when 20 calls arrive at once through the balancer, then all submit with their transcripts in order, and at least a third stream on an instance other than the one that answered their webhook', async () => {
    const results = await Promise.all(
      Array.from({ length: CALLS }, async (_, n) => {
        await pause(n * START_SPACING_MS);
        return cluster.call(callerNumber(n), { realTimeFactor: 4 });
      }),
    );

    for (const result of results) {
      expect(result.errors).toEqual([]);
      expect(result.protocolViolations).toEqual([]);
      expect(result.endedBy).toBe('service');
      expect(result.connectActionTwiml).toContain('<Hangup/>');
    }
    const elsewhere = results.filter(
      (r) =>
        r.servedBy.webhook !== undefined && r.servedBy.stream !== undefined && r.servedBy.webhook !== r.servedBy.stream,
    );
    expect(elsewhere.length).toBeGreaterThanOrEqual(Math.ceil(CALLS / 3));
    // Every instance took part. (Not necessarily in streams: with calls evenly spaced, round robin can put every
    // stream on one instance, as each call makes the same number of requests.)
    expect(new Set(results.flatMap((r) => [r.servedBy.webhook, r.servedBy.stream])).size).toBe(3);

    const applications = await cluster.db.execute(
      `SELECT c.call_sid, a.status FROM calls c JOIN applications a ON a.id = c.application_id`,
    );
    const statusOf = new Map(applications.rows.map((row) => [row.call_sid as string, row.status as string]));
    const expected = cluster.expectedSpokenTurns();
    for (const result of results) {
      const where = `${result.callSid} (${JSON.stringify(result.servedBy)}, ${result.clears.length} clears)`;
      expect(statusOf.get(result.callSid), where).toBe('submitted');
      const transcript = await cluster.transcript(result.callSid);
      expect(transcriptProblem(transcript, expected, result.clears.length), where).toBeUndefined();
    }
  }, 240_000);

  it('when 200 texts are queued, then the workers of all three instances drain them, each text sent exactly once, all three taking part', async () => {
    const sentBefore = cluster.twilio.messages.length;
    const sentByEachBefore = await sentByEach(cluster);
    const ids = await queueSummaries(cluster.db, TEXTS, (i) => callerNumber(i % 100), 1000);
    await eventually(async () => (await outboxSent(cluster, ids)) === TEXTS, 'all 200 texts are sent', 60_000);
    // A little longer: a text sent twice would reach the stand-in after its row said sent.
    await pause(1_000);
    const bodies = cluster.twilio.messages.slice(sentBefore).map((m) => m.body);
    expect(bodies).toHaveLength(TEXTS);
    expect(new Set(bodies).size).toBe(TEXTS);
    // Each instance logs a line per text it sent: together 200, each some.
    const sentByEachNow = (await sentByEach(cluster)).map((n, i) => n - (sentByEachBefore[i] ?? 0));
    expect(sentByEachNow.reduce((a, b) => a + b, 0)).toBe(TEXTS);
    for (const n of sentByEachNow) expect(n).toBeGreaterThan(0);
  }, 90_000);

  it('when one address sends forms through the balancer, then the per-address limit counts them on every instance together', async () => {
    const client = new FormClient(cluster.url);
    const servedBy = new Set<string>();
    for (let n = 0; n < FORM_LIMIT; n++) {
      const form = await client.openForm('temporary_food_event');
      const res = await client.post('/apply', { ...eventFormFields(), _csrf: form.csrf, formId: form.formId });
      expect(res.status).toBe(200);
      servedBy.add(res.headers.get(INSTANCE_HEADER) ?? '');
    }
    // Spread over every instance: a limit kept per instance would have let each take FORM_LIMIT.
    expect(servedBy.size).toBe(3);
    for (let n = 0; n < 3; n++) {
      const form = await client.openForm('temporary_food_event');
      const over = await client.post('/apply', { ...eventFormFields(), _csrf: form.csrf, formId: form.formId });
      expect(over.status).toBe(429);
    }
    // Another address is not held up by this one's.
    const other = await fetch(`${cluster.url}/apply?type=temporary_food_event`, {
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(other.status).toBe(200);
  });

  it('when an account fails to sign in through the balancer, then it is locked after five failures whichever instance took them, even with the right password', async () => {
    await addStaffUser(cluster.db, 'locked.out', 'staff', 'the right password 123');
    const servedBy = new Set<string>();
    for (let i = 0; i < 5; i += 1) {
      const failed = await new StaffClient(cluster.url).signIn('locked.out', `wrong password ${i}xx`);
      expect(failed.status).toBe(401);
      servedBy.add(failed.headers.get(INSTANCE_HEADER) ?? '');
    }
    expect(servedBy.size).toBeGreaterThan(1);
    for (let i = 0; i < 3; i += 1) {
      const locked = await new StaffClient(cluster.url).signIn('locked.out', 'the right password 123');
      expect(locked.status).toBe(429);
      expect(locked.html).toMatch(/Too many failed sign-ins/);
    }
  });
});

const TEXTS = 200;
const FORM_LIMIT = 6;

async function outboxSent(cluster: TestCluster, ids: readonly string[]): Promise<number> {
  const rows = await cluster.db.execute({
    sql: `SELECT COUNT(*) AS n FROM sms_outbox WHERE status = 'sent' AND application_id IN (${ids.map(() => '?').join(',')})`,
    args: [...ids],
  });
  return Number(rows.rows[0]?.n);
}

/** How many "text sent" lines each instance has logged. */
async function sentByEach(cluster: TestCluster): Promise<number[]> {
  return Promise.all(
    cluster.instances.map(
      async (instance) =>
        (await readFile(instance.logFile, 'utf8')).split('\n').filter((line) => line.includes('"msg":"text sent"'))
          .length,
    ),
  );
}

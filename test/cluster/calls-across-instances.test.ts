import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callerNumber,
  hasClusterTools,
  reportMissingClusterTools,
  startTestCluster,
  type TestCluster,
} from '../support/cluster.ts';
import { pause } from '../support/wait.ts';

type Turn = { role: string; text: string };

/**
 * The stored turns are the scenario's, in order. On a loaded machine the simulated caller may start speaking in a
 * pause of the agent's (after a tool call) as a person would; the service then cuts the agent off (a clear) and that
 * agent line, never finished, has no transcript. So: every caller turn, in order, and every agent line except at
 * most one per clear.
 */
function expectTranscriptOf(stored: readonly Turn[], expected: readonly Turn[], clears: number, where: string): void {
  let next = 0;
  let skippedAgentLines = 0;
  for (const turn of expected) {
    const here = stored[next];
    if (here !== undefined && here.role === turn.role && here.text === turn.text) next += 1;
    else if (turn.role === 'agent') skippedAgentLines += 1;
    else
      throw new Error(
        `${where}: the caller's turn "${turn.text}" is not where it belongs in ${JSON.stringify(stored)}`,
      );
  }
  expect(next, `${where}: turns stored but not in the scenario`).toBe(stored.length);
  expect(skippedAgentLines, `${where}: agent lines missing`).toBeLessThanOrEqual(clears);
}

/**
 * Calls through the balancer of a three-instance cluster: round robin puts a
 * call's webhook and its media stream on different instances for most calls,
 * and every call still submits with its whole transcript in order.
 */

reportMissingClusterTools('the cross-instance calls test');

const CALLS = 20;
// Starts spread a little, as calls arrive on a phone line, so the webhooks do not all land in one instant.
const START_SPACING_MS = 100;

describe.skipIf(!hasClusterTools)('calls across the instances of a cluster', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster(3);
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
      expectTranscriptOf(
        transcript.filter((t) => t.role !== 'tool').map((t) => ({ role: t.role, text: t.text })),
        expected,
        result.clears.length,
        where,
      );
      const offsets = transcript.map((t) => t.offsetMs);
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    }
  }, 240_000);
});

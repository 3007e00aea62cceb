import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { todayIn } from '../../src/permits/field-inputs.ts';
import { CallRepository, type CallPhase } from '../../src/store/call-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { startOfDayIn, startOfHourIn } from '../../src/web/staff/staff-time.ts';
import { completeApplication } from '../support/applications.ts';
import { testDataKeys } from '../support/keys.ts';
import { newCallSid } from '../support/media-socket.ts';
import { ADMIN, CLERK, StaffClient, addStaffUser } from '../support/staff.ts';
import { draftTools, startWebService, type WebService } from '../support/web-service.ts';

/**
 * The staff live page over HTTP on the real service and database, with calls
 * rows written by the real CallRepository at chosen times: sign-in, the
 * day's counts, cost and agent response p95, the calls-per-hour chart, and
 * which calls count as in progress. The department is in Kolkata, whose
 * hours start at half past the UTC hour, so the chart's hours are the
 * department's, not UTC's.
 */

const TIME_ZONE = 'Asia/Kolkata';
const HOUR_MS = 3_600_000;
let service: WebService;

beforeAll(async () => {
  service = await startWebService({ DEPARTMENT_TIME_ZONE: TIME_ZONE });
  await addStaffUser(service.db, ADMIN.username, 'admin', ADMIN.password);
  await addStaffUser(service.db, CLERK.username, 'staff', CLERK.password);
});
afterAll(async () => {
  await service.close();
});
beforeEach(async () => {
  await service.db.execute('DELETE FROM calls');
});

async function signedIn(user: { username: string; password: string } = CLERK): Promise<StaffClient> {
  const client = new StaffClient(service.url);
  const answer = await client.signIn(user.username, user.password);
  expect(answer.status, answer.html).toBe(303);
  return client;
}

let callers = 0;
const nextCaller = (): string => `+1415555${String(100 + (callers++ % 100)).padStart(4, '0')}`;

interface SeededCall {
  readonly at: Date;
  readonly from?: string;
  /** Twilio's last status; a final one ends the call. */
  readonly status?: string;
  readonly streamed?: boolean;
  readonly ivr?: boolean;
  readonly phase?: CallPhase;
  readonly submitted?: boolean;
  readonly usage?: { readonly inputTokens: number; readonly outputTokens: number; readonly costUsd: number };
  readonly latenciesMs?: readonly number[];
}

/** Writes a call the way the call paths do, through the real repositories, with its clock set to `at`. */
async function seedCall(call: SeededCall): Promise<string> {
  const callSid = newCallSid();
  const calls = new CallRepository(service.db, new FieldCipher(testDataKeys()), () => call.at);
  await calls.recordIncoming(callSid, call.from ?? nextCaller(), 'ringing');
  if (call.streamed === true) expect(await calls.claimStream(callSid)).toBe('claimed');
  if (call.ivr === true) await calls.markIvr(callSid);
  if (call.phase !== undefined) await calls.recordPhase(callSid, call.phase);
  if (call.submitted === true) {
    const { applications } = draftTools(service);
    const id = await applications.startDraft('voice');
    await applications.updateDraft(id, completeApplication('mobile_food_unit'), 'voice');
    expect((await applications.submit(id)).ok).toBe(true);
    await calls.attachApplication(callSid, id, 'agent-instructions.v1', 'gpt-realtime');
  }
  if (call.usage !== undefined) await calls.recordUsage(callSid, { ...call.usage, detail: {} });
  if (call.latenciesMs !== undefined) await calls.recordAgentLatencies(callSid, call.latenciesMs);
  if (call.status !== undefined) await calls.recordStatus(callSid, call.status, 30);
  return callSid;
}

/** The text of the day figure marked `name` (data-figure). */
function figure(html: string, name: string): string {
  return new RegExp(`<dd data-figure="${name}">([^<]*)</dd>`).exec(html)?.[1] ?? `(no figure ${name})`;
}

interface Bar {
  readonly hour: string;
  readonly calls: number;
  readonly height: number;
}

function bars(html: string): Bar[] {
  const svg = /<svg[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
  return [...svg.matchAll(/<rect class="bar"([^>]*)>/g)].map(([, attributes = '']) => {
    const attribute = (name: string): string => new RegExp(`${name}="([^"]*)"`).exec(attributes)?.[1] ?? '';
    return {
      hour: attribute('data-hour'),
      calls: Number(attribute('data-calls')),
      height: Number(attribute('height')),
    };
  });
}

describe('the staff live page', () => {
  it('when nobody is signed in, then it redirects to the sign-in page', async () => {
    const page = await new StaffClient(service.url).get('/staff/live');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe(`/staff/login?next=${encodeURIComponent('/staff/live')}`);
  });

  it('when no call has ended today, then the agent response p95 says there is no data yet and every count is 0', async () => {
    const page = await (await signedIn()).get('/staff/live');
    expect(page.status).toBe(200);
    expect(figure(page.html, 'agent-p95')).toBe('no data yet');
    expect(figure(page.html, 'calls')).toBe('0');
    expect(figure(page.html, 'cost')).toBe('$0.0000');
    expect(page.html).toContain('No calls in progress.');
    expect(page.html).toContain('<a href="/staff/live">Live</a>');
  });

  it('when staff open the live page, then it does not reload itself until they ask, and then offers to stop', async () => {
    const client = await signedIn();
    const still = await client.get('/staff/live');
    expect(still.html).not.toContain('http-equiv="refresh"');
    expect(still.html).toContain('<a href="/staff/live?refresh=on">reload every 15 seconds</a>');
    const reloading = await client.get('/staff/live?refresh=on');
    expect(reloading.html).toContain('<meta http-equiv="refresh" content="15">');
    expect(reloading.html).toContain('<a href="/staff/live">Stop reloading</a>');
  });

  it("when calls of today and yesterday are stored, then the page shows today's counts by outcome, cost and agent response p95 only", async () => {
    const now = new Date();
    const dayStart = startOfDayIn(todayIn(TIME_ZONE, now), TIME_ZONE) ?? now;
    // Spread over the part of today gone by, however little of it that is.
    const today = (i: number): Date => new Date(dayStart.getTime() + ((now.getTime() - dayStart.getTime()) * i) / 6);
    const submitted = await seedCall({
      at: today(1),
      streamed: true,
      phase: 'read-back',
      submitted: true,
      usage: { inputTokens: 1200, outputTokens: 340, costUsd: 0.0123 },
      latenciesMs: [400, 800],
      status: 'completed',
    });
    await seedCall({
      at: today(2),
      streamed: true,
      phase: 'collecting',
      usage: { inputTokens: 2000, outputTokens: 500, costUsd: 0.02 },
      latenciesMs: [1000, 1200, 300],
      status: 'completed',
    });
    await seedCall({ at: today(3), ivr: true, status: 'completed' });
    await seedCall({ at: today(4), streamed: true, phase: 'greeting' });
    await seedCall({
      at: new Date(dayStart.getTime() - 2 * HOUR_MS),
      streamed: true,
      usage: { inputTokens: 9000, outputTokens: 9000, costUsd: 5 },
      latenciesMs: [99_999],
      status: 'completed',
    });

    const client = await signedIn();
    const page = await client.get('/staff/live');

    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(figure(page.html, 'calls')).toBe('4');
    expect(figure(page.html, 'submitted')).toBe('1');
    expect(figure(page.html, 'fallback')).toBe('1');
    expect(figure(page.html, 'abandoned')).toBe('1');
    expect(figure(page.html, 'in progress')).toBe('1');
    expect(figure(page.html, 'cost')).toBe('$0.0323');
    // Today's five turns: 300, 400, 800, 1000, 1200 ms; the nearest-rank 95th is the 5th.
    expect(figure(page.html, 'agent-p95')).toBe('1.20 s (over 5 agent turns)');

    const detail = await client.get(`/staff/calls/${submitted}`);
    expect(detail.html).toMatch(/<dt>Model cost<\/dt><dd>\$0\.0123 \(1,200 input tokens, 340 output tokens\)<\/dd>/);
  });

  it('when calls are stored over the last day, then the chart has 24 bars, one per department hour, as tall as their counts', async () => {
    let seeded: Map<string, number>;
    let page: { html: string };
    // Seeded from the hour's boundaries; should the hour turn while the test runs, it seeds and asks again.
    for (;;) {
      await service.db.execute('DELETE FROM calls');
      const hour = startOfHourIn(new Date(), TIME_ZONE);
      const counts: [hoursAgo: number, calls: number][] = [
        [0, 2],
        [3, 5],
        [10, 1],
        [23, 3],
        [24, 4],
      ];
      seeded = new Map();
      for (const [hoursAgo, calls] of counts) {
        const at = new Date(hour.getTime() - hoursAgo * HOUR_MS);
        if (hoursAgo < 24) seeded.set(at.toISOString(), calls);
        // From the hour's first instant on, minutes apart: the bar is the hour's, wherever in it a call began (and
        // the hour before the chart's first is filled backwards from its end, so none of it leaks in).
        const step = (hoursAgo < 24 ? 1 : -1) * (13 * 60_000 + 1);
        for (let i = 0; i < calls; i += 1)
          await seedCall({ at: new Date(at.getTime() + i * step - (hoursAgo < 24 ? 0 : 1)), status: 'completed' });
      }
      page = await (await signedIn()).get('/staff/live');
      if (startOfHourIn(new Date(), TIME_ZONE).getTime() === hour.getTime()) break;
    }

    const chart = bars(page.html);
    expect(chart).toHaveLength(24);
    const tallest = Math.max(...chart.map((b) => b.height));
    expect(tallest).toBeGreaterThan(0);
    for (const bar of chart) {
      expect(bar.calls, bar.hour).toBe(seeded.get(bar.hour) ?? 0);
      expect(bar.height / tallest, bar.hour).toBeCloseTo((seeded.get(bar.hour) ?? 0) / 5, 2);
    }
    // Kolkata's hours begin at :30 UTC; oldest first, an hour apart.
    expect(chart.every((b) => b.hour.endsWith(':30:00.000Z'))).toBe(true);
    expect(chart.map((b) => Date.parse(b.hour))).toEqual(
      chart.map((_, i) => Date.parse(chart[0]?.hour ?? '') + i * HOUR_MS),
    );
    // The chart says what it shows in words too: a title, a description and the table.
    expect(page.html).toContain('<title id="hourly-title">Calls per hour, last 24 hours</title>');
    expect(page.html).toMatch(
      /<desc id="hourly-desc">11 calls in the last 24 hours; the busiest hour was [^<]+ with 5 calls\.<\/desc>/,
    );
    expect(page.html.match(/<tr><td>\d\d:\d\d–\d\d:\d\d<\/td><td>\d+<\/td><\/tr>/g)).toHaveLength(24);
  });

  it('when calls are in progress, then they are listed masked with their phase, and a call started over four hours ago and never ended is not', async () => {
    const now = Date.now();
    const speaking = '+14155550177';
    const inIvr = '+14155550178';
    const forgotten = '+14155550179';
    const live = await seedCall({ at: new Date(now - 90_000), from: speaking, streamed: true, phase: 'collecting' });
    const ivr = await seedCall({ at: new Date(now - 30 * 60_000), from: inIvr, ivr: true });
    const crashed = await seedCall({
      at: new Date(now - 4 * HOUR_MS - 60_000),
      from: forgotten,
      streamed: true,
      phase: 'greeting',
    });
    const ended = await seedCall({
      at: new Date(now - 60_000),
      streamed: true,
      phase: 'read-back',
      status: 'completed',
    });
    const ringing = await seedCall({ at: new Date(now - 10_000) });

    const page = await (await signedIn()).get('/staff/live');

    const row = (callSid: string): string =>
      new RegExp(`<tr data-call="${callSid}">([\\s\\S]*?)</tr>`).exec(page.html)?.[1] ?? '';
    expect(row(live)).toContain('•••-•••-0177');
    expect(row(live)).toContain('<td>Collecting answers</td>');
    expect(row(live)).toMatch(/<td>1 min \d+ s<\/td>/);
    expect(row(ivr)).toContain('•••-•••-0178');
    expect(row(ivr)).toContain('<td>Keypad IVR</td>');
    for (const notLive of [crashed, ended, ringing]) expect(page.html).not.toContain(notLive);
    expect(page.html).toContain('2 calls in progress');
    for (const phone of [speaking, inIvr, forgotten]) expect(page.html).not.toContain(phone.slice(2));
  });

  it('when a call was put through to staff, then its row says so and links the answers so far; a Spanish call says Spanish', async () => {
    const now = Date.now();
    const transferred = await seedCall({ at: new Date(now - 120_000), streamed: true, phase: 'collecting' });
    const calls = new CallRepository(service.db, new FieldCipher(testDataKeys()));
    const { applications } = draftTools(service);
    const draft = await applications.startDraft('voice');
    await calls.attachApplication(transferred, draft, 'agent-instructions.v2', 'gpt-realtime');
    await calls.recordAiEnding(transferred, '{"kind":"transfer-to-staff"}');
    const spanish = await seedCall({ at: new Date(now - 60_000), streamed: true, phase: 'read-back' });
    await calls.recordLanguage(spanish, 'es');

    const page = await (await signedIn()).get('/staff/live');

    const row = (callSid: string): string =>
      new RegExp(`<tr data-call="${callSid}">([\\s\\S]*?)</tr>`).exec(page.html)?.[1] ?? '';
    expect(row(transferred)).toContain(
      `<td>Put through to staff — <a href="/staff/applications/${draft}">the caller's answers so far</a></td>`,
    );
    expect(row(spanish)).toContain('<td>Reading back (Spanish)</td>');
  });

  it('when the page reloads itself, then one audit entry covers the session, and an admin sees the page too', async () => {
    const before = await auditEntries();
    const clerk = await signedIn(CLERK);
    for (let i = 0; i < 3; i += 1) expect((await clerk.get('/staff/live')).status).toBe(200);
    expect(await auditEntries()).toBe(before + 1);
    const admin = await signedIn(ADMIN);
    expect((await admin.get('/staff/live')).status).toBe(200);
    expect(await auditEntries()).toBe(before + 2);
  });
});

async function auditEntries(): Promise<number> {
  const result = await service.db.execute("SELECT count(*) AS n FROM audit_log WHERE action = 'calls.live'");
  return Number(result.rows[0]?.n);
}

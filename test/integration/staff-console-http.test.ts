import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todayIn } from '../../src/permits/field-inputs.ts';
import { nextDay } from '../../src/web/staff/staff-time.ts';
import { ApplicationRepository } from '../../src/store/application-repository.ts';
import { AuditLog } from '../../src/store/audit-log.ts';
import { CallRepository } from '../../src/store/call-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { newCallSid } from '../support/media-socket.ts';
import { testDataKeys } from '../support/keys.ts';
import { ADMIN, CLERK, StaffClient, addStaffUser, ageStaffSessions } from '../support/staff.ts';
import { startVoiceRig, type VoiceRig } from '../support/voice.ts';

/**
 * The staff console over HTTP, on the real service and database, with calls
 * made through the real voice path: sign-in and its throttling, sessions,
 * roles, guessed ids, the audit trail of every view, and erasure.
 */

// Long enough that no test's session goes idle on a busy machine; the idle test moves its session's clock instead.
const IDLE_MS = 600_000;
let rig: VoiceRig;
let callSid: string;
let applicationId: string;
let reference: string;
const recordingsDir = mkdtempSync(join(tmpdir(), 'permitline-recordings-'));

beforeAll(async () => {
  rig = await startVoiceRig('happy-path', {}, undefined, {
    STAFF_IDLE_TIMEOUT_MS: String(IDLE_MS),
    RECORD_CALLS: 'true',
    RECORDINGS_DIR: recordingsDir,
  });
  const result = await rig.call({ realTimeFactor: 8 });
  expect(result.endedBy).toBe('service');
  callSid = result.callSid;
  const call = await new CallRepository(rig.service.db, new FieldCipher(testDataKeys())).find(callSid);
  applicationId = call?.applicationId ?? '';
  reference =
    (await new ApplicationRepository(rig.service.db, new FieldCipher(testDataKeys())).find(applicationId))?.reference ??
    '';
  expect(reference).not.toBe('');
  await addStaffUser(rig.service.db, ADMIN.username, 'admin', ADMIN.password);
  await addStaffUser(rig.service.db, CLERK.username, 'staff', CLERK.password);
}, 120_000);

afterAll(async () => {
  await rig.close();
  rmSync(recordingsDir, { recursive: true, force: true });
});

const client = (): StaffClient => new StaffClient(rig.service.url);

async function signedIn(user: { username: string; password: string }): Promise<StaffClient> {
  const c = client();
  const answer = await c.signIn(user.username, user.password);
  expect(answer.status, answer.html).toBe(303);
  return c;
}

describe('staff console over HTTP', () => {
  it('when nobody is signed in, then every staff page redirects to the sign-in page', async () => {
    for (const path of [
      '/staff/calls',
      `/staff/calls/${callSid}`,
      `/staff/applications/${applicationId}`,
      '/staff/audit',
      `/staff/calls/${callSid}/recording`,
    ]) {
      const page = await client().get(path);
      expect(page.status, path).toBe(303);
      expect(page.headers.get('location'), path).toBe(`/staff/login?next=${encodeURIComponent(path)}`);
    }
  });

  it('when the password is wrong or the account does not exist, then the error is the same and says nothing about the account', async () => {
    const wrong = await client().signIn(ADMIN.username, 'not the password at all');
    const unknown = await client().signIn('nobody.here', 'not the password at all');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const message = (html: string): string => /role="alert"><p>([^<]*)</.exec(html)?.[1] ?? '';
    expect(message(wrong.html)).toBe('The username or password is not right.');
    expect(message(unknown.html)).toBe(message(wrong.html));
  });

  it('when an account fails to sign in five times, then it is locked with a clear message, even with the right password', async () => {
    await addStaffUser(rig.service.db, 'locked.out', 'staff', 'the right password 123');
    for (let i = 0; i < 5; i += 1)
      expect((await client().signIn('locked.out', `wrong password ${i}xx`)).status).toBe(401);
    const locked = await client().signIn('locked.out', 'the right password 123');
    expect(locked.status).toBe(429);
    expect(locked.html).toMatch(/Too many failed sign-ins\. Sign-in is locked for 1[45] minutes/);
  });

  it('when staff sign in, then the session cookie is HttpOnly, SameSite=Strict and Secure behind HTTPS, and the calls list masks numbers', async () => {
    const c = client();
    const answer = await c.signIn(CLERK.username, CLERK.password);
    expect(answer.status).toBe(303);
    expect(answer.location).toBe('/staff/calls');
    const session = answer.setCookie.find((line) => line.startsWith('__Host-permitline.staff='));
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; Secure/);
    expect(session).toMatch(/; SameSite=Strict/);
    const list = await c.get('/staff/calls');
    expect(list.status).toBe(200);
    expect(list.html).toContain(`href="/staff/calls/${callSid}"`);
    expect(list.html).toContain(reference);
    expect(list.html).toContain('Submitted');
    const caller = rig.scenario.callerNumber;
    expect(list.html).toContain(`•••-•••-${caller.slice(-4)}`);
    expect(list.html).not.toContain(caller.slice(2, 8));
  });

  it('when staff search by reference or by phone or filter by outcome, then only matching calls are listed', async () => {
    const c = await signedIn(CLERK);
    expect((await c.get(`/staff/calls?q=${reference.toLowerCase()}`)).html).toContain(callSid);
    expect((await c.get(`/staff/calls?q=${encodeURIComponent(rig.scenario.callerNumber)}`)).html).toContain(callSid);
    expect((await c.get('/staff/calls?q=%2B13125550199')).html).not.toContain(callSid);
    expect((await c.get('/staff/calls?outcome=abandoned')).html).not.toContain(callSid);
    expect((await c.get('/staff/calls?outcome=submitted')).html).toContain(callSid);
    // Days are the department's (America/Los_Angeles by default), not UTC's.
    const today = todayIn('America/Los_Angeles', new Date());
    expect((await c.get(`/staff/calls?from=${today}&to=${today}`)).html).toContain(callSid);
    expect((await c.get(`/staff/calls?from=${nextDay(today)}`)).html).not.toContain(callSid);
    expect((await c.get('/staff/calls?from=2026-02-30')).html).toContain('The &quot;from&quot; date is not a date');
    const bad = await c.get('/staff/calls?q=not-a-thing');
    expect(bad.html).toContain('Search by a reference such as');
  });

  it('when there are more calls than a page holds, then the list pages through them, newest first', async () => {
    const calls = new CallRepository(rig.service.db, new FieldCipher(testDataKeys()));
    for (let i = 0; i < 30; i += 1)
      await calls.recordIncoming(
        `CA${(0xfeed0000 + i).toString(16).padStart(32, '0')}`,
        `+1312555${String(100 + i).padStart(4, '0')}`,
        'completed',
      );
    const c = await signedIn(CLERK);
    const rows = (html: string): number => html.match(/<tr>\s*<td><a href="\/staff\/calls\/CA/g)?.length ?? 0;
    const first = await c.get('/staff/calls');
    expect(rows(first.html)).toBe(25);
    expect(first.html).toContain('rel="next"');
    expect(first.html).not.toContain('rel="prev"');
    const second = await c.get('/staff/calls?from=&to=&outcome=&q=&page=2');
    expect(rows(second.html)).toBe(6);
    expect(second.html).toContain('rel="prev"');
    expect(second.html).not.toContain('rel="next"');
    expect(second.html).toContain(callSid);
  });

  it('when staff open a call, then its transcript shows turn by turn with times and what the agent captured, and the view is audited', async () => {
    const c = await signedIn(CLERK);
    const page = await c.get(`/staff/calls/${callSid}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.html).toContain('Rosa Delgado. The business is Taco Loco');
    expect(page.html).toMatch(
      /<span class="turn-role">Captured<\/span>\s*<span class="turn-text">[^<]*Business name ← Taco Loco;/,
    );
    expect(page.html).toMatch(/data-offset-ms="\d+"/);
    expect(page.html).toContain('<dt>Language</dt><dd>English</dd>');
    const records = await new AuditLog(rig.service.db).page({ limit: 20 });
    expect(
      records.some((r) => r.actor === CLERK.username && r.action === 'call.view' && r.subject === `call:${callSid}`),
    ).toBe(true);
    expect(JSON.stringify(records)).not.toContain('Taco Loco');
  });

  it('when a call went on in Spanish, then its page and the calls list say so', async () => {
    const other = newCallSid();
    const calls = new CallRepository(rig.service.db, new FieldCipher(testDataKeys()));
    await calls.recordIncoming(other, '+14255550142', 'in-progress');
    await calls.recordLanguage(other, 'es');
    const c = await signedIn(CLERK);
    expect((await c.get(`/staff/calls/${other}`)).html).toContain('<dt>Language</dt><dd>Spanish</dd>');
    expect((await c.get('/staff/calls')).html).toContain('In progress (Spanish)');
  });

  it('when staff fetch the recording, then it is the decrypted WAV, served in ranges, and each play is audited once', async () => {
    const c = await signedIn(CLERK);
    const whole = await fetch(`${rig.service.url}/staff/calls/${callSid}/recording`, { headers: c.cookies() });
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    const wav = Buffer.from(await whole.arrayBuffer());
    expect(wav.subarray(0, 4).toString('latin1')).toBe('RIFF');
    const part = await fetch(`${rig.service.url}/staff/calls/${callSid}/recording`, {
      headers: { ...c.cookies(), range: 'bytes=44-1043' },
    });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 44-1043/${wav.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(wav.subarray(44, 1044))).toBe(true);
    const past = await fetch(`${rig.service.url}/staff/calls/${callSid}/recording`, {
      headers: { ...c.cookies(), range: `bytes=${wav.length}-` },
    });
    expect(past.status).toBe(416);
    const plays = (await new AuditLog(rig.service.db).page({ limit: 50 })).filter(
      (r) => r.action === 'recording.play' && r.actor === CLERK.username,
    );
    expect(plays).toHaveLength(1);
  });

  it('when staff fetch the recording only from past its first byte, then the play is audited all the same, once per play session', async () => {
    const plays = async (): Promise<number> =>
      (await new AuditLog(rig.service.db).page({ limit: 100 })).filter(
        (r) => r.action === 'recording.play' && r.actor === CLERK.username && r.subject === `call:${callSid}`,
      ).length;
    const before = await plays();
    const c = await signedIn(CLERK);
    const fetchFrom = (range: string) =>
      fetch(`${rig.service.url}/staff/calls/${callSid}/recording`, { headers: { ...c.cookies(), range } });

    const skipped = await fetchFrom('bytes=1-');
    expect(skipped.status).toBe(206);
    await skipped.arrayBuffer();
    expect(await plays()).toBe(before + 1);

    await (await fetchFrom('bytes=2000-')).arrayBuffer();
    expect(await plays()).toBe(before + 1);
    const other = await signedIn(CLERK);
    await (
      await fetch(`${rig.service.url}/staff/calls/${callSid}/recording`, {
        headers: { ...other.cookies(), range: 'bytes=1-' },
      })
    ).arrayBuffer();
    expect(await plays()).toBe(before + 2);
  });

  it('when staff open the application, then every field, its channel, its calls and its text message state are shown', async () => {
    const c = await signedIn(CLERK);
    const page = await c.get(`/staff/applications/${applicationId}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Taco Loco');
    expect(page.html).toContain('<dt>Channel</dt><dd>voice</dd>');
    // Answers read as words, not stored codes: the permit's label, the entity's, dates spelled out.
    expect(page.html).toContain('<td>Temporary food event</td>');
    expect(page.html).toContain('<td>LLC</td>');
    expect(page.html).toMatch(/<td>March 3, \d{4}<\/td>/);
    expect(page.html).not.toContain('temporary_food_event');
    expect(page.html).toContain(`href="/staff/calls/${callSid}"`);
    expect(page.html).toContain('Summary and reference');
  });

  it('when an id is guessed, malformed or unknown, then the answer is the same 404', async () => {
    const c = await signedIn(CLERK);
    const unknown = await c.get(`/staff/calls/CA${'0'.repeat(32)}`);
    const malformed = await c.get('/staff/calls/1');
    const app = await c.get('/staff/applications/00000000-0000-4000-8000-000000000000');
    expect([unknown.status, malformed.status, app.status]).toEqual([404, 404, 404]);
    expect(malformed.html).toBe(unknown.html);
  });

  it('when a staff member opens admin pages, then they get 403', async () => {
    const c = await signedIn(CLERK);
    for (const path of ['/staff/users', '/staff/audit', '/staff/erase'])
      expect((await c.get(path)).status, path).toBe(403);
    const post = await c.postFrom('/staff/calls', '/staff/erase', { target: reference, confirm: 'yes' });
    expect(post.status).toBe(403);
  });

  it('when a state-changing form comes without its CSRF token, then it is refused', async () => {
    const c = await signedIn(ADMIN);
    expect((await c.post('/staff/erase', { target: reference, confirm: 'yes' })).status).toBe(403);
    expect((await c.post('/staff/logout', {})).status).toBe(403);
  });

  it('when staff sign out, then the old session no longer opens any page', async () => {
    const c = await signedIn(CLERK);
    expect((await c.get('/staff/calls')).status).toBe(200);
    const out = await c.postFrom('/staff/calls', '/staff/logout', {});
    expect(out.status).toBe(303);
    expect(out.location).toBe('/staff/login?signedOut=yes');
    expect((await c.get('/staff/calls')).status).toBe(303);
  });

  it('when a session is idle past STAFF_IDLE_TIMEOUT_MS, then it is signed out with a message saying why', async () => {
    const c = await signedIn(CLERK);
    expect((await c.get('/staff/calls')).status).toBe(200);
    await ageStaffSessions(rig.service.db, CLERK.username, IDLE_MS + 1_000);
    const expired = await c.get('/staff/calls');
    expect(expired.status).toBe(303);
    expect(expired.headers.get('location')).toMatch(/^\/staff\/login\?signedOut=idle/);
    expect((await c.get(expired.headers.get('location') ?? '')).html).toContain(
      'You were signed out after a period without activity',
    );
  });

  it('when an admin adds a user, then they can sign in; when the admin disables them, their open session ends at once', async () => {
    const admin = await signedIn(ADMIN);
    const short = await admin.postFrom('/staff/users', '/staff/users', {
      username: 'new.clerk',
      role: 'staff',
      password: 'short',
    });
    expect(short.status).toBe(400);
    expect(short.html).toContain('The password is too short');
    const added = await admin.postFrom('/staff/users', '/staff/users', {
      username: 'New.Clerk',
      role: 'staff',
      password: 'a brand new password 7',
    });
    expect(added.status).toBe(201);
    expect(added.html).toContain('Added new.clerk (staff).');
    const again = await admin.postFrom('/staff/users', '/staff/users', {
      username: 'new.clerk',
      role: 'admin',
      password: 'another new password 8',
    });
    expect(again.status).toBe(409);

    const clerk = await signedIn({ username: 'new.clerk', password: 'a brand new password 7' });
    expect((await clerk.get('/staff/calls')).status).toBe(200);
    const disabled = await admin.postFrom('/staff/users', '/staff/users/new.clerk/disable', {});
    expect(disabled.html).toContain('new.clerk is disabled.');
    expect((await clerk.get('/staff/calls')).status).toBe(303);
    expect((await client().signIn('new.clerk', 'a brand new password 7')).status).toBe(401);
    const own = await admin.postFrom('/staff/users', `/staff/users/${ADMIN.username}/disable`, {});
    expect(own.status).toBe(400);

    const actions = (await new AuditLog(rig.service.db).page({ limit: 100 }))
      .filter((r) => r.actor === ADMIN.username)
      .map((r) => `${r.action} ${String(r.detail?.username)}`);
    expect(actions).toEqual(expect.arrayContaining(['staff.add new.clerk', 'staff.disable new.clerk']));
  });

  it('when an admin tries to disable their own account under another spelling of their name, then it is refused and they stay enabled', async () => {
    const admin = await signedIn(ADMIN);
    for (const spelling of [ADMIN.username.toUpperCase(), `${encodeURIComponent(' ')}Avery.Admin`]) {
      const own = await admin.postFrom('/staff/users', `/staff/users/${spelling}/disable`, {});
      expect(own.status, spelling).toBe(400);
      expect(own.html).toContain('You cannot disable your own account');
    }
    expect((await admin.get('/staff/calls')).status).toBe(200);
    expect((await client().signIn(ADMIN.username, ADMIN.password)).status).toBe(303);
  });

  it('when an admin erases an applicant by reference, then no personal field or transcript text is readable and the list still shows the call, masked and marked erased', async () => {
    const admin = await signedIn(ADMIN);
    const erased = await admin.postFrom('/staff/erase', '/staff/erase', { target: reference, confirm: 'yes' });
    expect(erased.status, erased.html).toBe(200);
    expect(erased.html).toContain('Erased: 1 application(s), 1 call(s), 1 recording(s).');

    const keys = new FieldCipher(testDataKeys());
    const application = await new ApplicationRepository(rig.service.db, keys).find(applicationId);
    expect(application?.fields).not.toHaveProperty('applicantName');
    expect(application?.fields).not.toHaveProperty('businessName');
    expect(application?.fields).not.toHaveProperty('contactPhone');
    expect(application?.fields.permitType).toBe('temporary_food_event');
    const calls = new CallRepository(rig.service.db, keys);
    expect(await calls.transcript(callSid)).toEqual([]);
    expect((await calls.find(callSid))?.fromPhone).toBe('');
    expect(await rig.service.recordings.load(callSid)).toBeUndefined();
    expect((await admin.get(`/staff/calls/${callSid}/recording`)).status).toBe(404);
    const texts = await new ApplicationRepository(rig.service.db, keys).outboxFor(applicationId);
    expect(texts.every((t) => t.toPhone === '' && t.body === '')).toBe(true);

    const list = await admin.get(`/staff/calls?q=${reference}`);
    expect(list.html).toMatch(
      new RegExp(`href="/staff/calls/${callSid}">[^<]*</a></td>\\s*<td>erased <span class="tag">erased</span>`),
    );
    const detail = await admin.get(`/staff/calls/${callSid}`);
    expect(detail.html).not.toContain('Taco Loco');
    expect(detail.html).toContain('personal data was erased');
    const records = await new AuditLog(rig.service.db).page({ limit: 50 });
    expect(records.find((r) => r.action === 'applicant.erased')).toMatchObject({
      actor: ADMIN.username,
      subject: `reference:${reference}`,
    });
    expect((await new AuditLog(rig.service.db).verify()).ok).toBe(true);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallRepository } from '../../src/store/call-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { runNode, STAFF_CLI } from '../support/cli.ts';
import { hasChromium, openFormBrowser, type FormBrowser } from '../support/browser.ts';
import { TEST_KEY_A, testDataKeys } from '../support/keys.ts';
import { ageStaffSessions } from '../support/staff.ts';
import { startTestService, tempDatabaseFile, type TestService } from '../support/service.ts';
import { simulateCall } from '../../src/sim/call-simulator.ts';
import { PUBLIC_BASE_URL, TWILIO_AUTH_TOKEN, startVoiceRig, type VoiceRig } from '../support/voice.ts';

/**
 * The staff console in real Chromium: the first admin is made with the CLI,
 * a call comes in through the real voice path and is recorded, and staff
 * replay it: the highlight follows the turns, the recording loads and plays,
 * a turn's button seeks to it. Roles, sign-out and the idle limit too.
 */

const ADMIN = { username: 'avery.admin', password: 'correct horse battery staple' };
const CLERK = { username: 'sam.clerk', password: 'a long clerk password 42' };
// Long enough that no page load outlasts it on a busy machine; the idle test moves its session's clock instead.
const IDLE_MS = 600_000;
const SUITE_TIMEOUT_MS = 180_000;

// The test's TypeScript has no DOM library: what the page functions read, typed by hand.
interface MediaElement {
  readonly readyState: number;
  readonly duration: number;
  readonly currentTime: number;
  pause(): void;
}
interface ListItem {
  getAttribute(name: string): string | null;
  readonly classList: { contains(name: string): boolean };
}

/** `npm run staff -- …` as an operator runs it, the password on standard input. */
async function staffCli(databaseUrl: string, args: readonly string[], password: string): Promise<void> {
  const finished = await runNode(
    [STAFF_CLI, ...args],
    { NODE_ENV: 'test', DATABASE_URL: databaseUrl, DATA_KEYS: TEST_KEY_A },
    `${password}\n`,
  );
  if (finished.code !== 0) throw new Error(`staff ${args.join(' ')} failed: ${finished.stderr}`);
}

describe.skipIf(!hasChromium)('the staff console in Chromium', () => {
  const database = tempDatabaseFile();
  const recordingsDir = mkdtempSync(join(tmpdir(), 'permitline-recordings-'));
  let rig: VoiceRig;
  let quickToForget: TestService;
  let ui: FormBrowser;
  let idleUi: FormBrowser;
  let page: Page;
  let callSid: string;
  let unrecordedCallSid: string;

  beforeAll(async () => {
    await staffCli(database.url, ['add', ADMIN.username, '--role', 'admin'], ADMIN.password);
    await staffCli(database.url, ['add', CLERK.username, '--role', 'staff'], CLERK.password);
    rig = await startVoiceRig('barge-in', {}, undefined, {
      DATABASE_URL: database.url,
      RECORD_CALLS: 'true',
      RECORDINGS_DIR: recordingsDir,
    });
    const call = await rig.call({ realTimeFactor: 4 });
    expect(call.endedBy).toBe('service');
    callSid = call.callSid;
    // The same database behind a second instance that does not record calls (it plays the scripted model itself)
    // and whose sessions go idle sooner than the default.
    quickToForget = await startTestService({
      DATABASE_URL: database.url,
      STAFF_IDLE_TIMEOUT_MS: String(IDLE_MS),
      PUBLIC_BASE_URL,
      TWILIO_AUTH_TOKEN,
      SIMULATOR_SCENARIO: 'barge-in',
    });
    const unrecorded = await simulateCall({
      serviceUrl: quickToForget.url,
      publicBaseUrl: PUBLIC_BASE_URL,
      authToken: TWILIO_AUTH_TOKEN,
      scenario: rig.scenario,
      realTimeFactor: 4,
    });
    expect(unrecorded.endedBy).toBe('service');
    unrecordedCallSid = unrecorded.callSid;
    ui = await openFormBrowser(rig.service.url, { javaScript: true });
    idleUi = await openFormBrowser(quickToForget.url, { javaScript: true });
    page = ui.page;
  }, SUITE_TIMEOUT_MS);

  afterAll(async () => {
    await ui.close();
    await idleUi.close();
    await quickToForget.close();
    await rig.close();
    database.cleanup();
    rmSync(recordingsDir, { recursive: true, force: true });
  });

  async function signIn(base: string, user: { username: string; password: string }, on: Page = page): Promise<void> {
    await on.goto(`${base}/staff/calls`);
    await expect.poll(() => new URL(on.url()).pathname).toBe('/staff/login');
    await on.getByLabel('Username').fill(user.username);
    await on.getByLabel('Password').fill(user.password);
    await on.getByRole('button', { name: 'Sign in' }).click();
    await on.waitForURL(`${base}/staff/calls`);
  }

  async function signOut(): Promise<void> {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/staff\/login\?signedOut=yes$/);
  }

  it(
    'when the admin made by the CLI signs in, then the calls list shows the simulated call, masked',
    async () => {
      await signIn(rig.service.url, ADMIN);
      const row = page.getByRole('row').filter({ has: page.locator(`a[href="/staff/calls/${callSid}"]`) });
      await expect.poll(() => row.count()).toBe(1);
      const caller = rig.scenario.callerNumber;
      expect(await row.innerText()).toContain(`•••-•••-${caller.slice(-4)}`);
      expect(await page.content()).not.toContain(caller);
    },
    SUITE_TIMEOUT_MS,
  );

  it(
    'when the call is opened and replayed, then the highlight advances, the recording plays, and a turn click seeks to it',
    async () => {
      await page.locator(`a[href="/staff/calls/${callSid}"]`).click();
      await page.waitForURL(`${rig.service.url}/staff/calls/${callSid}`);
      const audio = page.locator('audio[data-recording]');
      await expect
        .poll(() => audio.evaluate((el: MediaElement) => el.readyState), { timeout: 10_000 })
        .toBeGreaterThanOrEqual(1);
      const recordingMs =
        (await new CallRepository(rig.service.db, new FieldCipher(testDataKeys())).find(callSid))?.recordingMs ?? 0;
      expect(await audio.evaluate((el: MediaElement) => el.duration * 1000)).toBeCloseTo(recordingMs, -2);

      const turns = page.locator('[data-transcript] > li');
      const offsets = await turns.evaluateAll((items: readonly ListItem[]) =>
        items.map((item) => Number(item.getAttribute('data-offset-ms'))),
      );
      expect(offsets.length).toBeGreaterThanOrEqual(4);
      const current = (): Promise<number> =>
        turns.evaluateAll((items: readonly ListItem[]) =>
          items.findIndex((item) => item.classList.contains('current')),
        );

      await page.getByRole('button', { name: 'Replay the call' }).click();
      await expect
        .poll(() => audio.evaluate((el: MediaElement) => el.currentTime), { timeout: 10_000 })
        .toBeGreaterThan(0.5);
      // The second turn (the caller's first words) starts a few seconds in: the highlight moves on to it, with the audio.
      await expect.poll(current, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
      const moved = await current();
      expect(await audio.evaluate((el: MediaElement) => el.currentTime * 1000)).toBeGreaterThanOrEqual(
        offsets[moved] ?? Number.POSITIVE_INFINITY,
      );

      const last = offsets.length - 1;
      await turns.nth(last).getByRole('button').click();
      const at = await audio.evaluate((el: MediaElement) => el.currentTime * 1000);
      expect(at).toBeGreaterThanOrEqual((offsets[last] ?? 0) - 1);
      expect(at).toBeLessThan((offsets[last] ?? 0) + 1000);
      await expect.poll(current).toBe(last);
      await audio.evaluate((el: MediaElement) => {
        el.pause();
      });
      expect(ui.consoleErrors).toEqual([]);
      expect(ui.offSiteRequests).toEqual([]);
    },
    SUITE_TIMEOUT_MS,
  );

  it(
    'when a staff member (not an admin) signs in, then admin pages answer 403 and the nav offers none',
    async () => {
      await signOut();
      await signIn(rig.service.url, CLERK);
      expect(await page.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
      for (const path of ['/staff/users', '/staff/audit', '/staff/erase']) {
        const response = await page.goto(`${rig.service.url}${path}`);
        expect(response?.status(), path).toBe(403);
      }
    },
    SUITE_TIMEOUT_MS,
  );

  it(
    'when staff sign out, then going back to a staff page asks them to sign in again',
    async () => {
      await page.goto(`${rig.service.url}/staff/calls`);
      await signOut();
      await page.goto(`${rig.service.url}/staff/calls/${callSid}`);
      expect(new URL(page.url()).pathname).toBe('/staff/login');
      expect(await page.content()).not.toContain('Sunny Side Lemonade');
    },
    SUITE_TIMEOUT_MS,
  );

  it(
    'when a call was not recorded, then its replay steps through the turns at their real timing, without a player',
    async () => {
      const other = idleUi.page;
      await signIn(quickToForget.url, CLERK, other);
      await other.goto(`${quickToForget.url}/staff/calls/${unrecordedCallSid}`);
      expect(await other.locator('audio').count()).toBe(0);
      const turns = other.locator('[data-transcript] > li');
      const offsets = await turns.evaluateAll((items: readonly ListItem[]) =>
        items.map((item) => Number(item.getAttribute('data-offset-ms'))),
      );
      const current = (): Promise<number> =>
        turns.evaluateAll((items: readonly ListItem[]) =>
          items.findIndex((item) => item.classList.contains('current')),
        );
      expect(await current()).toBe(-1);
      const started = Date.now();
      await other.getByRole('button', { name: 'Replay the call' }).click();
      await expect.poll(current, { timeout: 15_000 }).toBe(1);
      // The highlight reached the second turn no sooner than that turn's time in the call.
      expect(Date.now() - started).toBeGreaterThanOrEqual((offsets[1] ?? 0) - 150);
      expect(idleUi.consoleErrors).toEqual([]);
    },
    SUITE_TIMEOUT_MS,
  );

  it(
    'when a session is left idle past its limit, then the next page is the sign-in page with the reason',
    async () => {
      // A second instance on the same database, whose sessions go idle after IDLE_MS (and a second browser for its origin).
      const idle = idleUi.page;
      await idle.context().clearCookies();
      await signIn(quickToForget.url, CLERK, idle);
      await idle.goto(`${quickToForget.url}/staff/calls`);
      expect(new URL(idle.url()).pathname).toBe('/staff/calls');
      await ageStaffSessions(quickToForget.db, CLERK.username, IDLE_MS + 1_000);
      await idle.goto(`${quickToForget.url}/staff/calls`);
      expect(new URL(idle.url()).pathname).toBe('/staff/login');
      expect(await idle.getByRole('status').innerText()).toContain('signed out after a period without activity');
    },
    SUITE_TIMEOUT_MS,
  );
});

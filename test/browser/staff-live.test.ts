import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, openFormBrowser, type FormBrowser } from '../support/browser.ts';
import { answerCall, callCompleted, MediaSocket, newCallSid } from '../support/media-socket.ts';
import { ADMIN, addStaffUser } from '../support/staff.ts';
import { startVoiceRig, type VoiceRig } from '../support/voice.ts';
import { eventually } from '../support/wait.ts';

/**
 * The staff live page in real Chromium (JavaScript off, as the page needs
 * none) while a call is in progress: the call is answered through the real
 * voice webhook and its media stream is opened and held, so the agent has
 * greeted and waits for the caller for as long as the test needs. Then the
 * caller hangs up and the call leaves the page. Asked to, the page reloads
 * itself (meta refresh) with JavaScript off.
 */

const SUITE_TIMEOUT_MS = 120_000;
const CALLER = '+13125550188';

describe.skipIf(!hasChromium)('the staff live page in Chromium', () => {
  let rig: VoiceRig;
  let ui: FormBrowser;
  let socket: MediaSocket | undefined;
  const callSid = newCallSid();

  beforeAll(async () => {
    rig = await startVoiceRig('happy-path');
    await addStaffUser(rig.service.db, ADMIN.username, 'admin', ADMIN.password);
    ui = await openFormBrowser(rig.service.url);
  }, SUITE_TIMEOUT_MS);

  afterAll(async () => {
    if (socket?.isOpen === true) await socket.hangUp();
    await ui.close();
    await rig.close();
  });

  const phaseOfCall = async (): Promise<unknown> =>
    (await rig.service.db.execute({ sql: 'SELECT phase FROM calls WHERE call_sid = ?', args: [callSid] })).rows[0]
      ?.phase;

  it(
    'when a call is in progress, then the signed-in live page lists it masked with its phase, the chart has a bar for each of 24 hours, and the page reloads itself',
    async () => {
      const answer = await answerCall(rig.service.url, callSid, CALLER);
      expect(answer.status).toBe(200);
      socket = await MediaSocket.start(rig.service.url, callSid, answer.token ?? '');
      await eventually(async () => (await phaseOfCall()) === 'greeting', 'the call is in its greeting', 30_000);

      const { page } = ui;
      await page.goto(`${rig.service.url}/staff/live?refresh=on`);
      await expect.poll(() => new URL(page.url()).pathname).toBe('/staff/login');
      await page.getByLabel('Username').fill(ADMIN.username);
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${rig.service.url}/staff/live?refresh=on`);

      const row = page.locator(`tr[data-call="${callSid}"]`);
      await expect.poll(() => row.count()).toBe(1);
      const cells = await row.locator('td').allInnerTexts();
      expect(cells[0]).toBe('•••-•••-0188');
      expect(cells[3]).toBe('Greeting');
      expect(await page.content()).not.toContain(CALLER.slice(2));

      const chart = page.getByRole('img', { name: 'Calls per hour, last 24 hours' });
      expect(await chart.evaluate((el: { tagName: string }) => el.tagName.toLowerCase())).toBe('svg');
      expect(await chart.locator('rect').count()).toBe(24);
      // The call started this hour: the last bar, the hour under way, is the one with a height.
      const heights = await chart
        .locator('rect')
        .evaluateAll((rects: { getBBox(): { height: number } }[]) => rects.map((r) => r.getBBox().height));
      expect(heights.slice(0, 23).every((h) => h === 0)).toBe(true);
      expect(heights[23]).toBeGreaterThan(0);
      expect(ui.consoleErrors).toEqual([]);
      expect(ui.offSiteRequests).toEqual([]);

      // Nothing reloads it but its meta refresh (JavaScript is off): the call is still there, longer in progress.
      await page.waitForEvent('load', { timeout: 45_000 });
      await expect.poll(() => row.locator('td').nth(2).innerText()).not.toBe(cells[2]);
      expect(await row.locator('td').nth(3).innerText()).toBe('Greeting');
    },
    SUITE_TIMEOUT_MS,
  );

  it(
    'when the caller hangs up and Twilio reports the call completed, then the live page no longer lists it',
    async () => {
      await socket?.hangUp();
      expect(await callCompleted(rig.service.url, callSid)).toBe(204);
      const { page } = ui;
      await page.reload();
      expect(await page.locator(`tr[data-call="${callSid}"]`).count()).toBe(0);
      expect(await page.getByText('No calls in progress.').count()).toBe(1);
    },
    SUITE_TIMEOUT_MS,
  );
});

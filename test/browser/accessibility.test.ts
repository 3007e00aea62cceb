import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallRepository } from '../../src/store/call-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { completeApplication } from '../support/applications.ts';
import { FORM_LABELS, hasChromium, openFormBrowser, type FormBrowser } from '../support/browser.ts';
import { eventFormFields } from '../support/form-client.ts';
import { testDataKeys } from '../support/keys.ts';
import { newCallSid } from '../support/media-socket.ts';
import { ADMIN, addStaffUser } from '../support/staff.ts';
import { draftTools, startWebService, type WebService } from '../support/web-service.ts';

/**
 * Every page an applicant or a staff member reads, checked by axe-core in
 * real Chromium: no violation of
 * impact serious or critical, colour contrast included. A failure names each
 * rule, its impact, the elements and axe's advice, so it says what to fix.
 * The staff pages are reached signed in, over a call seeded through the real
 * repositories: one in progress (the live page) that carries a submitted
 * application and a transcript (the call page).
 */

const SUITE_TIMEOUT_MS = 60_000;
const CALLER = '+13125550176';
const BLOCKING = new Set(['serious', 'critical']);

interface Finding {
  readonly id: string;
  readonly impact: string;
  readonly help: string;
  readonly targets: readonly string[];
}

/** axe's serious and critical findings on the page as it is now, each written out for the failure message. */
async function blockingViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => BLOCKING.has(v.impact ?? ''))
    .map((v): Finding => ({
      id: v.id,
      impact: v.impact ?? '',
      help: `${v.help} (${v.helpUrl})`,
      targets: v.nodes.map((node) => node.target.join(' ')),
    }))
    .map((f) => `${f.id} [${f.impact}] on ${f.targets.join(', ')}: ${f.help}`);
}

/** What makes an input box look like one: its border and padding, as Chromium computed them. */
async function boxStyle(page: Page, selector: string): Promise<Record<string, string>> {
  return page.locator(selector).evaluate((el: object) => {
    // The test's TypeScript has no DOM library: the one browser function it calls, typed by hand.
    const view = globalThis as unknown as {
      getComputedStyle(el: object): Readonly<Record<string, string>> & { getPropertyValue(name: string): string };
    };
    const style = view.getComputedStyle(el);
    const properties = [
      'border-top-style',
      'border-top-width',
      'border-top-color',
      'border-bottom-style',
      'border-bottom-width',
      'border-bottom-color',
      'border-top-left-radius',
      'padding-top',
      'padding-left',
      'padding-bottom',
      'padding-right',
    ];
    return Object.fromEntries(properties.map((name) => [name, style.getPropertyValue(name)]));
  });
}

describe.skipIf(!hasChromium)('accessibility of every page, checked by axe-core in Chromium', () => {
  let service: WebService;
  let ui: FormBrowser | undefined;
  let callSid: string;

  beforeAll(async () => {
    // Named, with a number to call: the header and the form's intro carry them, so axe reads them too.
    service = await startWebService({
      DEPARTMENT_NAME: 'Lantern County Public Health',
      DEPARTMENT_PHONE: '+12125550123',
    });
    await addStaffUser(service.db, ADMIN.username, 'admin', ADMIN.password);
    callSid = newCallSid();
    const calls = new CallRepository(service.db, new FieldCipher(testDataKeys()));
    await calls.recordIncoming(callSid, CALLER, 'in-progress');
    expect(await calls.claimStream(callSid)).toBe('claimed');
    await calls.recordPhase(callSid, 'collecting');
    const { applications } = draftTools(service);
    const id = await applications.startDraft('voice');
    await applications.updateDraft(id, completeApplication('mobile_food_unit'), 'voice');
    expect((await applications.submit(id)).ok).toBe(true);
    await calls.attachApplication(callSid, id, 'agent-instructions.v1', 'gpt-realtime');
    await calls.saveTurn(callSid, { itemId: 'item-1', position: 0, role: 'agent', text: 'Hello.', offsetMs: 0 });
    await calls.saveTurn(callSid, { itemId: 'item-2', position: 1, role: 'caller', text: 'Hi there.', offsetMs: 2500 });
    // axe is a script the test puts in the page, and Chromium runs none with JavaScript off. The applicant pages are
    // the same either way: they carry no script, and their Content-Security-Policy allows none.
    ui = await openFormBrowser(service.url, { javaScript: true });
  }, SUITE_TIMEOUT_MS);

  afterAll(async () => {
    await ui?.close();
    await service.close();
  });

  const browser = (): FormBrowser => {
    if (ui === undefined) throw new Error('the browser is used before its beforeAll ran');
    return ui;
  };

  async function expectAccessible(path: string): Promise<void> {
    expect(new URL(browser().page.url()).pathname).toBe(path);
    expect(await blockingViolations(browser().page), `axe on ${path}`).toEqual([]);
  }

  it(
    'when the applicant opens the permit-type step, then axe finds no serious or critical violation',
    async () => {
      await browser().page.goto(`${service.url}/apply`);
      expect(await browser().page.locator('a[href="tel:+12125550123"]').count()).toBe(1);
      await expectAccessible('/apply');
    },
    SUITE_TIMEOUT_MS,
  );

  it(
    'when the form is open and empty, then axe finds no serious or critical violation',
    async () => {
      await browser().page.goto(`${service.url}/apply?type=temporary_food_event`);
      await expectAccessible('/apply');
    },
    SUITE_TIMEOUT_MS,
  );

  it(
    'when the form comes back with errors after a bad submit, then axe finds no serious or critical violation',
    async () => {
      await browser().page.goto(`${service.url}/apply?type=temporary_food_event`);
      await browser().field(FORM_LABELS.businessName).fill('Pupuseria La Ceiba');
      const rejected = await browser().submitWith('Submit application');
      expect(rejected.status()).toBe(400);
      expect(await browser().page.getByRole('alert').isVisible()).toBe(true);
      await expectAccessible('/apply');
    },
    SUITE_TIMEOUT_MS,
  );

  it(
    'when a complete application is submitted, then axe finds no serious or critical violation on the confirmation',
    async () => {
      await browser().page.goto(`${service.url}/apply?type=temporary_food_event`);
      // Filled the way a browser posts the fixture: every field by its name, the radios and the box by their value.
      for (const [name, value] of Object.entries(eventFormFields())) {
        if (name === 'permitType') continue;
        const control = browser().page.locator(`[name="${name}"]`);
        const kind = await control.first().getAttribute('type');
        if (kind === 'radio') await browser().page.locator(`[name="${name}"][value="${value}"]`).check();
        else if (kind === 'checkbox') {
          if (value === 'yes') await control.check();
        } else if ((await control.evaluate((el: { tagName: string }) => el.tagName)) === 'SELECT')
          await control.selectOption(value);
        else await control.fill(value);
      }
      const accepted = await browser().submitWith('Submit application');
      expect(accepted.status()).toBe(200);
      expect(await browser().page.locator('#reference').count()).toBe(1);
      await expectAccessible(new URL(browser().page.url()).pathname);
    },
    SUITE_TIMEOUT_MS,
  );

  it(
    'when the applicant saves the form for later, then axe finds no serious or critical violation on the saved page',
    async () => {
      await browser().page.goto(`${service.url}/apply?type=mobile_food_unit`);
      await browser().field(FORM_LABELS.businessName).fill('Ceiba Rolling Kitchen');
      await browser().field(FORM_LABELS.contactPhone).fill('212-555-0143');
      const saved = await browser().submitWith('Save and finish later');
      expect(saved.status()).toBe(200);
      await expectAccessible('/apply/save');
    },
    SUITE_TIMEOUT_MS,
  );

  it(
    'when the applicant reads the privacy notice, then axe finds no serious or critical violation',
    async () => {
      await browser().page.goto(`${service.url}/privacy`);
      await expectAccessible('/privacy');
    },
    SUITE_TIMEOUT_MS,
  );

  it(
    'when staff open the sign-in page, then axe finds no serious or critical violation',
    async () => {
      await browser().page.goto(`${service.url}/staff/login`);
      await expectAccessible('/staff/login');
    },
    SUITE_TIMEOUT_MS,
  );

  it(
    "when staff open the sign-in page, then the password box has the username box's border and padding",
    async () => {
      const { page } = browser();
      await page.goto(`${service.url}/staff/login`);
      const text = await boxStyle(page, '#username');
      expect(text['border-top-style']).toBe('solid');
      expect(await boxStyle(page, '#password')).toEqual(text);
    },
    SUITE_TIMEOUT_MS,
  );

  it(
    'when staff are signed in, then axe finds no serious or critical violation on the calls list, a call page or the live page',
    async () => {
      const { page } = browser();
      await page.goto(`${service.url}/staff/login`);
      await page.getByLabel('Username').fill(ADMIN.username);
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${service.url}/staff/calls`);
      expect(await page.locator(`a[href="/staff/calls/${callSid}"]`).count()).toBe(1);
      await expectAccessible('/staff/calls');

      await page.goto(`${service.url}/staff/calls/${callSid}`);
      expect(await page.locator('[data-transcript] > li').count()).toBe(2);
      await expectAccessible(`/staff/calls/${callSid}`);

      await page.goto(`${service.url}/staff/live`);
      expect(await page.locator(`tr[data-call="${callSid}"]`).count()).toBe(1);
      await expectAccessible('/staff/live');
    },
    SUITE_TIMEOUT_MS,
  );

  it(
    "when the signed-in calls list is shown, then its date filters have the search box's border and padding",
    async () => {
      const { page } = browser();
      await page.goto(`${service.url}/staff/calls`);
      const text = await boxStyle(page, '#q');
      expect(text['border-top-style']).toBe('solid');
      expect(await boxStyle(page, '#from')).toEqual(text);
      expect(await boxStyle(page, '#to')).toEqual(text);
    },
    SUITE_TIMEOUT_MS,
  );
});

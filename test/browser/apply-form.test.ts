import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page, type Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.ts';

/**
 * The web form in real Chromium, against the real service and a real libSQL
 * file. JavaScript is off for the whole scenario: the form is server-rendered
 * and must work for people (and assistive tools) that run no scripts.
 */

const CHROMIUM_PATH = '/usr/bin/chromium';
// Debian's build, not Playwright's download: CI installs it with apt (see .ci/run).
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const ERROR_SCREENSHOT = '/tmp/permitline-form-error.png';
const REFERENCE_PATTERN = /^FP-\d{4}-[2-9A-HJKMNP-Z]{6}$/;

/** Per action and per page load; the whole scenario stays well under the test's own limit. */
const ACTION_TIMEOUT_MS = 10_000;
const LAUNCH_TIMEOUT_MS = 20_000;
const SCENARIO_TIMEOUT_MS = 30_000;

const hasChromium = existsSync(CHROMIUM_PATH);
if (!hasChromium) {
  // A skipped suite must say why, or a machine without Chromium would look green.
  process.stderr.write(`Chromium not found at ${CHROMIUM_PATH}: browser tests skipped. Install it with: apt-get install -y chromium\n`);
}

/** Labels exactly as the applicant reads them on the page. */
const LABELS = {
  applicantName: "Applicant's full name",
  businessName: 'Business name (as on the booth, truck or sign)',
  entityType: 'Type of business entity',
  contactPhone: 'Contact phone',
  email: 'Email (optional)',
  healthDistrict: 'Health district',
  menuItems: 'Menu items (one per line)',
  servesTcsFoods: 'Do you serve foods that need time or temperature control (for example meat, dairy, cooked rice, cut melons)?',
  tcsItemCount: 'How many of your menu items need time or temperature control?',
  foodPreparation: 'Where is the food prepared?',
  certifiedFoodHandler: 'Certified food handler or manager (name)',
  attestation: 'I confirm the information is true and that health inspectors may enter to inspect.',
  smsConsent: 'Send me a text message with my reference number',
  eventName: 'Event name (full)',
  eventAddress: 'Event address',
  eventCoordinatorName: 'Event coordinator name',
  eventCoordinatorPhone: 'Event coordinator phone',
  eventStartDate: 'First day of the event',
  eventEndDate: 'Last day of the event',
  dailyOpenTime: 'Opening time each day',
  dailyCloseTime: 'Closing time each day',
} as const;

/** Fictional applicant: 555-01xx numbers, invented names and places; the event is next March so it is never in the past. */
const EVENT_YEAR = new Date().getFullYear() + 1;
const FIRST_DAY = `03/04/${EVENT_YEAR}`;
const LAST_DAY_TOO_EARLY = `03/03/${EVENT_YEAR}`;
const LAST_DAY = `03/05/${EVENT_YEAR}`;
const MENU = 'Pupusas revueltas\nCurtido\nHorchata';

describe.skipIf(!hasChromium)('the web form in Chromium without JavaScript', () => {
  let service: TestService | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  /** Requests the page tried to send anywhere but the service: there must be none. */
  const offSiteRequests: string[] = [];

  beforeAll(async () => {
    service = await startTestService();
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: LAUNCH_TIMEOUT_MS });
    context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1000, height: 800 } });
    context.setDefaultTimeout(ACTION_TIMEOUT_MS);
    context.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);
    const origin = new URL(service.url).origin;
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      if (new URL(url).origin === origin) {
        await route.continue();
      } else {
        offSiteRequests.push(url);
        await route.abort('blockedbyclient');
      }
    });
    page = await context.newPage();
  }, LAUNCH_TIMEOUT_MS + ACTION_TIMEOUT_MS);

  afterAll(async () => {
    // Browser first: it holds keep-alive connections the server would otherwise wait for.
    await browser?.close();
    await service?.close();
  });

  /** Clicks a submit button and returns the response of the navigation it starts. */
  async function submitWith(buttonName: string): Promise<Response> {
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().isNavigationRequest() && r.request().frame() === page.mainFrame()),
      page.getByRole('button', { name: buttonName }).click(),
    ]);
    await page.waitForLoadState('load');
    return response;
  }

  /** The Yes or No radio inside a yes/no question, found the way a screen reader announces it. */
  function answer(question: string, choice: 'Yes' | 'No') {
    return page.getByRole('group', { name: question, exact: true }).getByLabel(choice, { exact: true });
  }

  const field = (label: string) => page.getByLabel(label, { exact: true });

  it(
    'when the applicant gives a last day before the first, then the form says so beside the field, keeps the answers, and accepts the corrected date with a reference',
    async () => {
      const running = service!;

      await page.goto(`${running.url}/apply`);
      await page.getByLabel('Temporary food event', { exact: true }).check();
      const formPage = await submitWith('Continue');
      expect(formPage.status()).toBe(200);
      expect(new URL(page.url()).searchParams.get('type')).toBe('temporary_food_event');

      await field(LABELS.applicantName).fill('Marisol Quintero');
      await field(LABELS.businessName).fill('Pupuseria La Ceiba');
      await field(LABELS.entityType).selectOption({ label: 'Partnership' });
      await field(LABELS.contactPhone).fill('212-555-0142');
      await field(LABELS.email).fill('marisol@example.org');
      await field(LABELS.healthDistrict).selectOption({ label: 'North County' });
      await field(LABELS.menuItems).fill(MENU);
      await answer(LABELS.servesTcsFoods, 'Yes').check();
      await field(LABELS.tcsItemCount).fill('2');
      await field(LABELS.foodPreparation).selectOption({ label: 'All on site' });
      await field(LABELS.certifiedFoodHandler).fill('Marisol Quintero');
      await field(LABELS.attestation).check();
      await answer(LABELS.smsConsent, 'Yes').check();
      await field(LABELS.eventName).fill('Lantern Hill Night Market');
      await field(LABELS.eventAddress).fill('48 Orchard Lane, Springfield');
      await field(LABELS.eventCoordinatorName).fill('Teodor Vance');
      await field(LABELS.eventCoordinatorPhone).fill('(212) 555-0187');
      await field(LABELS.eventStartDate).fill(FIRST_DAY);
      await field(LABELS.eventEndDate).fill(LAST_DAY_TOO_EARLY);
      await field(LABELS.dailyOpenTime).fill('10am');
      await field(LABELS.dailyCloseTime).fill('9:30 pm');

      const rejected = await submitWith('Submit application');

      expect(rejected.status()).toBe(400);
      const summary = page.getByRole('alert');
      expect(await summary.isVisible()).toBe(true);
      expect(await summary.getByRole('heading').textContent()).toBe('There is one problem with the application');
      const inlineError = page.locator('#field-eventEndDate-error');
      expect(await inlineError.isVisible()).toBe(true);
      expect(await inlineError.textContent()).toBe(
        `The last day of the event, March 3, ${EVENT_YEAR}, is before the first day, March 4, ${EVENT_YEAR}; please give the day the event ends.`,
      );
      const lastDay = field(LABELS.eventEndDate);
      expect(await lastDay.getAttribute('aria-invalid')).toBe('true');
      expect((await lastDay.getAttribute('aria-describedby'))?.split(' ')).toContain('field-eventEndDate-error');
      await page.screenshot({ path: ERROR_SCREENSHOT, fullPage: true });

      expect(await field(LABELS.businessName).inputValue()).toBe('Pupuseria La Ceiba');
      expect(await field(LABELS.eventStartDate).inputValue()).toBe(FIRST_DAY);
      expect(await lastDay.inputValue()).toBe(LAST_DAY_TOO_EARLY);
      expect(await field(LABELS.healthDistrict).inputValue()).toBe('North County');
      expect(await field(LABELS.entityType).inputValue()).toBe('partnership');
      expect(await answer(LABELS.servesTcsFoods, 'Yes').isChecked()).toBe(true);
      expect(await answer(LABELS.smsConsent, 'Yes').isChecked()).toBe(true);
      expect(await field(LABELS.attestation).isChecked()).toBe(true);
      expect((await field(LABELS.menuItems).inputValue()).split(/\r?\n/)).toEqual(MENU.split('\n'));
      expect(await running.db.execute('SELECT id FROM applications')).toHaveProperty('rows', []);

      await lastDay.fill(LAST_DAY);
      const accepted = await submitWith('Submit application');

      expect(accepted.status()).toBe(200);
      const reference = (await page.locator('#reference').textContent())?.trim() ?? '';
      expect(reference).toMatch(REFERENCE_PATTERN);
      const applications = await running.db.execute('SELECT id, reference, status, channel FROM applications');
      expect(applications.rows).toEqual([expect.objectContaining({ reference, status: 'submitted', channel: 'web' })]);
      const outbox = await running.db.execute('SELECT application_id, status FROM sms_outbox');
      expect(outbox.rows).toEqual([expect.objectContaining({ application_id: applications.rows[0]?.id, status: 'pending' })]);
      expect(offSiteRequests).toEqual([]);
    },
    SCENARIO_TIMEOUT_MS,
  );
});

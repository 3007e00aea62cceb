import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page, type Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draftTools, startWebService, type WebService } from '../support/web-service.ts';

/**
 * "Resume anywhere" in real Chromium with JavaScript off: a caller whose call
 * could not finish opens the link from their text, sees what they already
 * said, fills in the rest and gets a reference for the same application.
 */

const CHROMIUM_PATH = '/usr/bin/chromium';
// Debian's build, not Playwright's download: CI installs it with apt (see .ci/run).
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const REFERENCE_PATTERN = /^FP-\d{4}-[2-9A-HJKMNP-Z]{6}$/;

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

/** Fictional caller: 555-01xx numbers, invented names and places; the event is next March so it is never in the past. */
const EVENT_YEAR = new Date().getFullYear() + 1;
const MENU = ['Pupusas revueltas', 'Curtido & salsa <roja>', 'Horchata'];
const SAID_ON_THE_PHONE = {
  permitType: 'temporary_food_event',
  applicantName: 'Marisol Quintero',
  businessName: 'Pupuseria "La Ceiba"',
  entityType: 'partnership',
  contactPhone: '(212) 555-0142',
  menuItems: MENU,
  servesTcsFoods: true,
  tcsItemCount: 2,
  eventName: 'Lantern Hill Night Market',
  eventStartDate: `${EVENT_YEAR}-03-04`,
  dailyOpenTime: '10am',
  smsConsent: true,
  attestation: true,
} as const;

describe.skipIf(!hasChromium)('the resume link in Chromium without JavaScript', () => {
  let service: WebService | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  /** Requests the page tried to send anywhere but the service: there must be none. */
  const offSiteRequests: string[] = [];

  beforeAll(async () => {
    service = await startWebService();
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

  async function submitWith(buttonName: string): Promise<Response> {
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().isNavigationRequest() && r.request().frame() === page.mainFrame()),
      page.getByRole('button', { name: buttonName }).click(),
    ]);
    await page.waitForLoadState('load');
    return response;
  }

  function answer(question: string, choice: 'Yes' | 'No') {
    return page.getByRole('group', { name: question, exact: true }).getByLabel(choice, { exact: true });
  }

  const field = (label: string) => page.getByLabel(label, { exact: true });

  it(
    'when a caller opens the link from a dropped call, then the form shows what they said, and finishing it submits that same application',
    async () => {
      const running = service!;
      const tools = draftTools(running);
      const draftId = await tools.applications.startDraft('voice');
      expect((await tools.applications.updateDraft(draftId, SAID_ON_THE_PHONE)).problems).toEqual([]);
      const link = new URL(tools.links.linkFor(draftId));

      const opened = await page.goto(`${running.url}${link.pathname}`);

      expect(opened?.status()).toBe(200);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Temporary food event permit application');
      expect(await field(LABELS.applicantName).inputValue()).toBe('Marisol Quintero');
      expect(await field(LABELS.businessName).inputValue()).toBe('Pupuseria "La Ceiba"');
      expect(await field(LABELS.entityType).inputValue()).toBe('partnership');
      expect(await field(LABELS.contactPhone).inputValue()).toBe('212-555-0142');
      expect((await field(LABELS.menuItems).inputValue()).split(/\r?\n/)).toEqual(MENU);
      expect(await answer(LABELS.servesTcsFoods, 'Yes').isChecked()).toBe(true);
      expect(await field(LABELS.tcsItemCount).inputValue()).toBe('2');
      expect(await field(LABELS.eventName).inputValue()).toBe('Lantern Hill Night Market');
      expect(await field(LABELS.eventStartDate).inputValue()).toBe(`March 4, ${EVENT_YEAR}`);
      expect(await field(LABELS.dailyOpenTime).inputValue()).toBe('10 AM');
      expect(await answer(LABELS.smsConsent, 'Yes').isChecked()).toBe(true);
      expect(await field(LABELS.eventAddress).inputValue()).toBe('');
      expect(await field(LABELS.attestation).isChecked()).toBe(false);

      await field(LABELS.email).fill('marisol@example.org');
      await field(LABELS.healthDistrict).selectOption({ label: 'North County' });
      await field(LABELS.foodPreparation).selectOption({ label: 'All on site' });
      await field(LABELS.certifiedFoodHandler).fill('Marisol Quintero');
      await field(LABELS.eventAddress).fill('48 Orchard Lane, Springfield');
      await field(LABELS.eventCoordinatorName).fill('Teodor Vance');
      await field(LABELS.eventCoordinatorPhone).fill('(212) 555-0187');
      await field(LABELS.eventEndDate).fill(`03/05/${EVENT_YEAR}`);
      await field(LABELS.dailyCloseTime).fill('9:30 pm');
      await field(LABELS.attestation).check();

      const accepted = await submitWith('Submit application');

      expect(accepted.status()).toBe(200);
      expect(new URL(page.url()).pathname).toBe('/apply/resume');
      const reference = (await page.locator('#reference').textContent())?.trim() ?? '';
      expect(reference).toMatch(REFERENCE_PATTERN);
      const applications = await running.db.execute('SELECT id, reference, status, channel FROM applications');
      expect(applications.rows).toEqual([expect.objectContaining({ id: draftId, reference, status: 'submitted', channel: 'voice' })]);
      const outbox = await running.db.execute('SELECT application_id, status FROM sms_outbox');
      expect(outbox.rows).toEqual([expect.objectContaining({ application_id: draftId, status: 'pending' })]);
      const stored = await tools.repository.find(draftId);
      expect(stored?.fields).toMatchObject({ businessName: 'Pupuseria "La Ceiba"', menuItems: MENU, eventEndDate: `${EVENT_YEAR}-03-05`, dailyCloseTime: '21:30', email: 'marisol@example.org' });

      // The same link now says the application is in, with its reference only.
      await page.goto(`${running.url}${link.pathname}`);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This application has already been sent');
      expect((await page.locator('#reference').textContent())?.trim()).toBe(reference);
      expect(await page.locator('form').count()).toBe(0);
      expect(offSiteRequests).toEqual([]);
    },
    SCENARIO_TIMEOUT_MS,
  );
});

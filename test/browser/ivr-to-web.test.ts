import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page, type Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDateForPeople, todayIn } from '../../src/permits/field-inputs.ts';
import { freePort } from '../../src/sim/free-port.ts';
import { runIvrCall, type IvrCallerInput } from '../../src/sim/ivr-caller.ts';
import { ApplicationRepository } from '../../src/store/application-repository.ts';
import { CallRepository } from '../../src/store/call-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { testDataKeys } from '../support/keys.ts';
import { startTestService, testConfig, type TestService } from '../support/service.ts';
import { eventually } from '../support/wait.ts';

/**
 * Issue 5, end to end: a caller goes through the keypad and speech IVR
 * (signed Digits and SpeechResult posts from the call simulator), asks for
 * the web link, gets it by text from the service's own Twilio stand-in,
 * opens it in real Chromium with JavaScript off, finds what they said and
 * pressed already filled in, finishes the form and gets a reference for the
 * same application the call began, with the summary text sent afterwards.
 */

const CHROMIUM_PATH = '/usr/bin/chromium';
// Debian's build, not Playwright's download: CI installs it with apt (see .ci/run).
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const REFERENCE_PATTERN = /^FP-\d{4}-[2-9A-HJKMNP-Z]{6}$/;

const ACTION_TIMEOUT_MS = 10_000;
const LAUNCH_TIMEOUT_MS = 20_000;
const SCENARIO_TIMEOUT_MS = 45_000;

const hasChromium = existsSync(CHROMIUM_PATH);
if (!hasChromium) {
  // A skipped suite must say why, or a machine without Chromium would look green.
  process.stderr.write(`Chromium not found at ${CHROMIUM_PATH}: browser tests skipped. Install it with: apt-get install -y chromium\n`);
}

const TWILIO_AUTH_TOKEN = 'test-ivr-to-web-auth-token';
/** Fictional caller (+1 312 555 01xx); its callback number is confirmed on the call, so it is also the contact phone. */
const CALLER = '+13125550177';
const CALLER_AS_SHOWN = '312-555-0177';
const CALL_SID = `CA${'5e'.repeat(16)}`;

/** Labels exactly as the applicant reads them on the page. */
const LABELS = {
  applicantName: "Applicant's full name",
  businessName: 'Business name (as on the booth, truck or sign)',
  entityType: 'Type of business entity',
  contactPhone: 'Contact phone',
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

const press = (keys: string): IvrCallerInput => ({ press: keys });
const say = (text: string, confidence = 0.92): IvrCallerInput => ({ say: text, confidence });

describe.skipIf(!hasChromium)('from the IVR to the web form in Chromium without JavaScript', () => {
  let service: TestService | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  /** Requests the page tried to send anywhere but the service: there must be none. */
  const offSiteRequests: string[] = [];

  beforeAll(async () => {
    // The stand-in posts status callbacks to PUBLIC_BASE_URL and the text's link is built on it, so it is this service's real address.
    const port = await freePort();
    service = await startTestService({
      PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      TWILIO_AUTH_TOKEN,
      SMS_WORKER: 'true',
      SMS_RATE_PER_SECOND: '0',
      SMS_POLL_INTERVAL_MS: '50',
    });
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

  /** The Yes or No radio inside a yes/no question, found the way a screen reader announces it. */
  function answer(question: string, choice: 'Yes' | 'No') {
    return page.getByRole('group', { name: question, exact: true }).getByLabel(choice, { exact: true });
  }

  const field = (label: string) => page.getByLabel(label, { exact: true });

  /** A day `days` from the department's today: its ISO date and its keys (MMDD). */
  function dayAhead(days: number): { iso: string; keys: string } {
    const [year = 0, month = 1, day = 1] = todayIn(testConfig().departmentTimeZone, new Date()).split('-').map(Number);
    const iso = new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
    return { iso, keys: iso.slice(5, 7) + iso.slice(8, 10) };
  }

  it(
    'when a caller asks for the web link at the end of an IVR call, then the texted link opens the form prefilled with the phone answers, and finishing it submits that same application with a summary text',
    async () => {
      const running = service!;
      const standIn = running.twilioStandIn;
      if (standIn === undefined) throw new Error('the service did not start the local Twilio stand-in');
      const cipher = new FieldCipher(testDataKeys());
      const [start, end] = [dayAhead(10), dayAhead(12)];

      // 1. The call: permit type 1, callback number confirmed, name and address spoken and confirmed, dates keyed, 1 for the text.
      const call = await runIvrCall({
        serviceUrl: running.url,
        publicBaseUrl: running.url,
        authToken: TWILIO_AUTH_TOKEN,
        callSid: CALL_SID,
        from: CALLER,
        inputs: [press('1'), press('1'), say('Juniper Arepa Stand.'), press('1'), say('27 Willow Court, Springfield.'), press('1'), press(start.keys), press(end.keys), press('1')],
      });
      expect(call.errors).toEqual([]);
      expect(call.endedBy).toBe('hangup');
      expect(call.inputsUsed).toBe(9);
      expect(call.requests.every((r) => r.status === 200)).toBe(true);
      expect(call.requests.some((r) => r.params.SpeechResult !== undefined)).toBe(true);

      const calls = await running.db.execute({ sql: 'SELECT application_id FROM calls WHERE call_sid = ?', args: [CALL_SID] });
      const applicationId = calls.rows[0]?.application_id;
      if (typeof applicationId !== 'string') throw new Error('the call has no application');

      // 2. The text with the link, as the stand-in received it from the worker.
      const linkText = () => standIn.messages.find((m) => m.to === CALLER && m.body.includes('/apply/resume/'));
      await eventually(() => Promise.resolve(linkText() !== undefined), 'the web link is texted to the caller');
      const link = /(http:\/\/127\.0\.0\.1:\d+\/apply\/resume\/\S+)/.exec(linkText()?.body ?? '')?.[1] ?? '';
      expect(new URL(link).origin).toBe(new URL(running.url).origin);

      // 3. The link in Chromium: what was said and pressed is there.
      const opened = await page.goto(link);
      expect(opened?.status()).toBe(200);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Temporary food event permit application');
      expect(await field(LABELS.businessName).inputValue()).toBe('Juniper Arepa Stand');
      expect(await field(LABELS.eventAddress).inputValue()).toBe('27 Willow Court, Springfield');
      expect(await field(LABELS.eventStartDate).inputValue()).toBe(formatDateForPeople(start.iso));
      expect(await field(LABELS.eventEndDate).inputValue()).toBe(formatDateForPeople(end.iso));
      expect(await field(LABELS.contactPhone).inputValue()).toBe(CALLER_AS_SHOWN);
      expect(await field(LABELS.applicantName).inputValue()).toBe('');
      expect(await field(LABELS.attestation).isChecked()).toBe(false);

      // 4. The rest, by hand.
      await field(LABELS.applicantName).fill('Benedita Rourke');
      await field(LABELS.entityType).selectOption({ label: 'LLC' });
      await field(LABELS.healthDistrict).selectOption({ label: 'North County' });
      await field(LABELS.menuItems).fill('Arepas de queso\nChicha morada');
      await answer(LABELS.servesTcsFoods, 'Yes').check();
      await field(LABELS.tcsItemCount).fill('1');
      await field(LABELS.foodPreparation).selectOption({ label: 'All on site' });
      await field(LABELS.certifiedFoodHandler).fill('Benedita Rourke');
      await field(LABELS.eventName).fill('Willow Court Summer Fair');
      await field(LABELS.eventCoordinatorName).fill('Osric Pellham');
      await field(LABELS.eventCoordinatorPhone).fill('(312) 555-0188');
      await field(LABELS.dailyOpenTime).fill('11am');
      await field(LABELS.dailyCloseTime).fill('7 pm');
      await answer(LABELS.smsConsent, 'Yes').check();
      await field(LABELS.attestation).check();

      const accepted = await submitWith('Submit application');

      expect(accepted.status()).toBe(200);
      expect(new URL(page.url()).pathname).toBe('/apply/resume');
      const reference = (await page.locator('#reference').textContent())?.trim() ?? '';
      expect(reference).toMatch(REFERENCE_PATTERN);

      // 5. The database: the call's own draft is the one submitted, still an IVR application, with the phone answers kept.
      const application = await new ApplicationRepository(running.db, cipher).find(applicationId);
      expect(application).toMatchObject({ id: applicationId, status: 'submitted', reference, channel: 'ivr' });
      expect(application?.fields).toMatchObject({
        permitType: 'temporary_food_event',
        contactPhone: CALLER,
        businessName: 'Juniper Arepa Stand',
        eventAddress: '27 Willow Court, Springfield',
        eventStartDate: start.iso,
        eventEndDate: end.iso,
        applicantName: 'Benedita Rourke',
        entityType: 'llc',
        menuItems: ['Arepas de queso', 'Chicha morada'],
        dailyOpenTime: '11:00',
        dailyCloseTime: '19:00',
        smsConsent: true,
        attestation: true,
      });
      expect((await running.db.execute('SELECT count(*) AS n FROM applications')).rows[0]?.n).toBe(1);
      expect(await new CallRepository(running.db, cipher).find(CALL_SID)).toMatchObject({ applicationId });

      // The summary text goes to the contact phone with the reference, after the link text, and is sent.
      await eventually(async () => {
        const outbox = await new ApplicationRepository(running.db, cipher).outboxFor(applicationId);
        return outbox.find((entry) => entry.kind === 'summary')?.status === 'sent';
      }, 'the summary text is sent');
      const outbox = await new ApplicationRepository(running.db, cipher).outboxFor(applicationId);
      expect(outbox.map((entry) => ({ kind: entry.kind, toPhone: entry.toPhone, status: entry.status })).sort((a, b) => a.kind.localeCompare(b.kind))).toEqual([
        { kind: 'summary', toPhone: CALLER, status: 'sent' },
        { kind: 'web-link', toPhone: CALLER, status: 'sent' },
      ]);
      const toCaller = standIn.messages.filter((m) => m.to === CALLER);
      expect(toCaller).toHaveLength(2);
      expect(toCaller[1]?.body).toContain(reference);
      expect(toCaller[1]?.body).not.toContain('/apply/resume/');

      // Nothing the caller said or keyed reaches the log.
      for (const personal of ['Juniper', 'Willow Court', 'Benedita', '5550177', '555-0177']) expect(running.log.text).not.toContain(personal);
      expect(offSiteRequests).toEqual([]);
    },
    SCENARIO_TIMEOUT_MS,
  );
});

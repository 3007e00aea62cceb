import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page, type Response } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

/**
 * Real Chromium for the browser tests: Debian's build (CI installs it with
 * apt, see .ci/run), headless, JavaScript off, and every request that leaves
 * the service recorded and blocked. A machine without Chromium skips these
 * suites and says how to install it.
 */

export const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Per action and per page load. */
export const ACTION_TIMEOUT_MS = 10_000;
export const LAUNCH_TIMEOUT_MS = 20_000;

export const REFERENCE_PATTERN = /^FP-\d{4}-[2-9A-HJKMNP-Z]{6}$/;

export const hasChromium = existsSync(CHROMIUM_PATH);
if (!hasChromium) {
  // A skipped suite must say why, or a machine without Chromium would look green.
  process.stderr.write(
    `Chromium not found at ${CHROMIUM_PATH}: browser tests skipped. Install it with: apt-get install -y chromium\n`,
  );
}

/** The form's labels exactly as the applicant reads them on the page. */
export const FORM_LABELS = {
  applicantName: "Applicant's full name",
  businessName: 'Business name (as on the booth, truck or sign)',
  entityType: 'Type of business entity',
  contactPhone: 'Contact phone',
  email: 'Email (optional)',
  healthDistrict: 'Health district',
  menuItems: 'Menu items (one per line)',
  servesTcsFoods:
    'Do you serve foods that need time or temperature control (for example meat, dairy, cooked rice, cut melons)?',
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

export interface FormBrowser {
  readonly page: Page;
  /** Requests the page tried to send anywhere but the service: there must be none. */
  readonly offSiteRequests: readonly string[];
  /** Clicks a submit button and returns the response of the navigation it starts. */
  submitWith(buttonName: string): Promise<Response>;
  /** The Yes or No radio inside a yes/no question, found the way a screen reader announces it. */
  answer(question: string, choice: 'Yes' | 'No'): ReturnType<Page['getByLabel']>;
  field(label: string): ReturnType<Page['getByLabel']>;
  /** Errors the page logged (a script error, a CSP violation): there must be none. */
  readonly consoleErrors: readonly string[];
  /** Close before the service: the browser holds keep-alive connections the server would wait for. */
  close(): Promise<void>;
}

/** JavaScript is off unless asked for: the applicant's pages must work without it; the staff replay page uses it (and plays audio unprompted). */
export async function openFormBrowser(
  serviceUrl: string,
  options: { readonly javaScript?: boolean } = {},
): Promise<FormBrowser> {
  const javaScript = options.javaScript ?? false;
  const args = javaScript ? [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required'] : CHROMIUM_ARGS;
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args, timeout: LAUNCH_TIMEOUT_MS });
  const context = await browser.newContext({ javaScriptEnabled: javaScript, viewport: { width: 1000, height: 800 } });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);
  const origin = new URL(serviceUrl).origin;
  const offSiteRequests: string[] = [];
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) {
      await route.continue();
    } else {
      offSiteRequests.push(url);
      await route.abort('blockedbyclient');
    }
  });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => {
    consoleErrors.push(error.message);
  });
  return {
    page,
    offSiteRequests,
    consoleErrors,
    async submitWith(buttonName) {
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().isNavigationRequest() && r.request().frame() === page.mainFrame()),
        page.getByRole('button', { name: buttonName }).click(),
      ]);
      await page.waitForLoadState('load');
      return response;
    },
    answer: (question, choice) =>
      page.getByRole('group', { name: question, exact: true }).getByLabel(choice, { exact: true }),
    field: (label) => page.getByLabel(label, { exact: true }),
    close: () => browser.close(),
  };
}

export interface BrowserSuite<S> {
  /** The running service; read inside tests (it starts in beforeAll). */
  readonly service: S;
  readonly page: Page;
  readonly offSiteRequests: readonly string[];
  submitWith: FormBrowser['submitWith'];
  answer: FormBrowser['answer'];
  field: FormBrowser['field'];
}

/**
 * For a describe block: starts the service and a Chromium (JavaScript off) on it before the tests, and closes
 * both after, the browser first: it holds keep-alive connections the server would otherwise wait for.
 */
export function browserSuite<S extends { readonly url: string; close(): Promise<void> }>(
  start: () => Promise<S>,
): BrowserSuite<S> {
  let service: S | undefined;
  let ui: FormBrowser | undefined;
  beforeAll(async () => {
    service = await start();
    ui = await openFormBrowser(service.url);
  }, LAUNCH_TIMEOUT_MS + ACTION_TIMEOUT_MS);
  afterAll(async () => {
    await ui?.close();
    await service?.close();
  });
  const started = (): { service: S; ui: FormBrowser } => {
    if (service === undefined || ui === undefined)
      throw new Error('the browser suite is used before its beforeAll ran');
    return { service, ui };
  };
  return {
    get service() {
      return started().service;
    },
    get page() {
      return started().ui.page;
    },
    get offSiteRequests() {
      return ui?.offSiteRequests ?? [];
    },
    submitWith: (buttonName) => started().ui.submitWith(buttonName),
    answer: (question, choice) => started().ui.answer(question, choice),
    field: (label) => started().ui.field(label),
  };
}

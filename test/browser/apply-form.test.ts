import { describe, expect, it } from 'vitest';
import { browserSuite, FORM_LABELS, hasChromium, REFERENCE_PATTERN } from '../support/browser.ts';
import { startTestService } from '../support/service.ts';

/**
 * The web form in real Chromium, against the real service and a real libSQL
 * file. JavaScript is off for the whole scenario: the form is server-rendered
 * and must work for people (and assistive tools) that run no scripts.
 */

const ERROR_SCREENSHOT = '/tmp/permitline-form-error.png';

const SCENARIO_TIMEOUT_MS = 30_000;

/** Fictional applicant: 555-01xx numbers, invented names and places; the event is next March so it is never in the past. */
const EVENT_YEAR = new Date().getFullYear() + 1;
const FIRST_DAY = `03/04/${EVENT_YEAR}`;
const LAST_DAY_TOO_EARLY = `03/03/${EVENT_YEAR}`;
const LAST_DAY = `03/05/${EVENT_YEAR}`;
const MENU = 'Pupusas revueltas\nCurtido\nHorchata';

describe.skipIf(!hasChromium)('the web form in Chromium without JavaScript', () => {
  const suite = browserSuite(() => startTestService());
  const { submitWith, answer, field } = suite;

  it(
    'when the applicant gives a last day before the first, then the form says so beside the field, keeps the answers, and accepts the corrected date with a reference',
    async () => {
      const running = suite.service;

      await suite.page.goto(`${running.url}/apply`);
      await suite.page.getByLabel('Temporary food event', { exact: true }).check();
      const formPage = await submitWith('Continue');
      expect(formPage.status()).toBe(200);
      expect(new URL(suite.page.url()).searchParams.get('type')).toBe('temporary_food_event');

      await field(FORM_LABELS.applicantName).fill('Marisol Quintero');
      await field(FORM_LABELS.businessName).fill('Pupuseria La Ceiba');
      await field(FORM_LABELS.entityType).selectOption({ label: 'Partnership' });
      await field(FORM_LABELS.contactPhone).fill('212-555-0142');
      await field(FORM_LABELS.email).fill('marisol@example.org');
      await field(FORM_LABELS.healthDistrict).selectOption({ label: 'North County' });
      await field(FORM_LABELS.menuItems).fill(MENU);
      await answer(FORM_LABELS.servesTcsFoods, 'Yes').check();
      await field(FORM_LABELS.tcsItemCount).fill('2');
      await field(FORM_LABELS.foodPreparation).selectOption({ label: 'All on site' });
      await field(FORM_LABELS.certifiedFoodHandler).fill('Marisol Quintero');
      await field(FORM_LABELS.attestation).check();
      await answer(FORM_LABELS.smsConsent, 'Yes').check();
      await field(FORM_LABELS.eventName).fill('Lantern Hill Night Market');
      await field(FORM_LABELS.eventAddress).fill('48 Orchard Lane, Springfield');
      await field(FORM_LABELS.eventCoordinatorName).fill('Teodor Vance');
      await field(FORM_LABELS.eventCoordinatorPhone).fill('(212) 555-0187');
      await field(FORM_LABELS.eventStartDate).fill(FIRST_DAY);
      await field(FORM_LABELS.eventEndDate).fill(LAST_DAY_TOO_EARLY);
      await field(FORM_LABELS.dailyOpenTime).fill('10am');
      await field(FORM_LABELS.dailyCloseTime).fill('9:30 pm');

      const rejected = await submitWith('Submit application');

      expect(rejected.status()).toBe(400);
      const summary = suite.page.getByRole('alert');
      expect(await summary.isVisible()).toBe(true);
      expect(await summary.getByRole('heading').textContent()).toBe('There is one problem with the application');
      const inlineError = suite.page.locator('#field-eventEndDate-error');
      expect(await inlineError.isVisible()).toBe(true);
      expect(await inlineError.textContent()).toBe(
        `The last day of the event, March 3, ${EVENT_YEAR}, is before the first day, March 4, ${EVENT_YEAR}; please give the day the event ends.`,
      );
      const lastDay = field(FORM_LABELS.eventEndDate);
      expect(await lastDay.getAttribute('aria-invalid')).toBe('true');
      expect((await lastDay.getAttribute('aria-describedby'))?.split(' ')).toContain('field-eventEndDate-error');
      await suite.page.screenshot({ path: ERROR_SCREENSHOT, fullPage: true });

      expect(await field(FORM_LABELS.businessName).inputValue()).toBe('Pupuseria La Ceiba');
      expect(await field(FORM_LABELS.eventStartDate).inputValue()).toBe(FIRST_DAY);
      expect(await lastDay.inputValue()).toBe(LAST_DAY_TOO_EARLY);
      expect(await field(FORM_LABELS.healthDistrict).inputValue()).toBe('North County');
      expect(await field(FORM_LABELS.entityType).inputValue()).toBe('partnership');
      expect(await answer(FORM_LABELS.servesTcsFoods, 'Yes').isChecked()).toBe(true);
      expect(await answer(FORM_LABELS.smsConsent, 'Yes').isChecked()).toBe(true);
      expect(await field(FORM_LABELS.attestation).isChecked()).toBe(true);
      expect((await field(FORM_LABELS.menuItems).inputValue()).split(/\r?\n/)).toEqual(MENU.split('\n'));
      expect(await running.db.execute('SELECT id FROM applications')).toHaveProperty('rows', []);

      await lastDay.fill(LAST_DAY);
      const accepted = await submitWith('Submit application');

      expect(accepted.status()).toBe(200);
      const reference = (await suite.page.locator('#reference').textContent())?.trim() ?? '';
      expect(reference).toMatch(REFERENCE_PATTERN);
      const applications = await running.db.execute('SELECT id, reference, status, channel FROM applications');
      expect(applications.rows).toEqual([expect.objectContaining({ reference, status: 'submitted', channel: 'web' })]);
      const outbox = await running.db.execute('SELECT application_id, status FROM sms_outbox');
      expect(outbox.rows).toEqual([
        expect.objectContaining({ application_id: applications.rows[0]?.id, status: 'pending' }),
      ]);
      expect(suite.offSiteRequests).toEqual([]);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'when the applicant saves half a form for later, then the page gives the link back, the link opens the answers, and the link can be texted',
    async () => {
      const running = suite.service;
      await suite.page.goto(`${running.url}/apply?type=mobile_food_unit`);
      await field(FORM_LABELS.businessName).fill('Ceiba Rolling Kitchen');
      await field(FORM_LABELS.contactPhone).fill('212-555-0143');

      const saved = await submitWith('Save and finish later');

      expect(saved.status()).toBe(200);
      expect(await suite.page.getByRole('heading', { level: 1 }).textContent()).toBe('Your answers are saved');
      const link = (await suite.page.locator('#resume-link').getAttribute('href')) ?? '';
      expect(new URL(link).pathname).toMatch(/^\/apply\/resume\/[\w-]{43}$/);
      const drafts = await running.db.execute("SELECT id FROM applications WHERE status = 'draft'");
      expect(drafts.rows).toHaveLength(1);

      expect(await field('Mobile number').inputValue()).toBe('(212) 555-0143');
      const texted = await submitWith('Text me the link');
      expect(texted.status()).toBe(200);
      expect(await suite.page.locator('#text-link-outcome').textContent()).toContain('(212) 555-0143');
      const outbox = await running.db.execute("SELECT application_id FROM sms_outbox WHERE kind = 'web-link'");
      expect(outbox.rows).toEqual([expect.objectContaining({ application_id: drafts.rows[0]?.id })]);

      await suite.page.goto(`${running.url}${new URL(link).pathname}`);
      expect(await field(FORM_LABELS.businessName).inputValue()).toBe('Ceiba Rolling Kitchen');
      expect(suite.offSiteRequests).toEqual([]);
    },
    SCENARIO_TIMEOUT_MS,
  );
});

import { describe, expect, it } from 'vitest';
import { browserSuite, FORM_LABELS, hasChromium, REFERENCE_PATTERN } from '../support/browser.ts';
import { draftTools, startWebService } from '../support/web-service.ts';

/**
 * "Resume anywhere" in real Chromium with JavaScript off: a caller whose call
 * could not finish opens the link from their text, sees what they already
 * said, fills in the rest and gets a reference for the same application.
 */

const SCENARIO_TIMEOUT_MS = 30_000;

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
  const suite = browserSuite(() => startWebService());
  const { submitWith, answer, field } = suite;

  it(
    'when a caller opens the link from a dropped call, then the form shows what they said, and finishing it submits that same application',
    async () => {
      const running = suite.service;
      const tools = draftTools(running);
      const draftId = await tools.applications.startDraft('voice');
      expect((await tools.applications.updateDraft(draftId, SAID_ON_THE_PHONE)).problems).toEqual([]);
      const link = new URL(tools.links.linkFor(draftId));

      const opened = await suite.page.goto(`${running.url}${link.pathname}`);

      expect(opened?.status()).toBe(200);
      expect(await suite.page.getByRole('heading', { level: 1 }).textContent()).toBe(
        'Temporary food event permit application',
      );
      expect(await field(FORM_LABELS.applicantName).inputValue()).toBe('Marisol Quintero');
      expect(await field(FORM_LABELS.businessName).inputValue()).toBe('Pupuseria "La Ceiba"');
      expect(await field(FORM_LABELS.entityType).inputValue()).toBe('partnership');
      expect(await field(FORM_LABELS.contactPhone).inputValue()).toBe('212-555-0142');
      expect((await field(FORM_LABELS.menuItems).inputValue()).split(/\r?\n/)).toEqual(MENU);
      expect(await answer(FORM_LABELS.servesTcsFoods, 'Yes').isChecked()).toBe(true);
      expect(await field(FORM_LABELS.tcsItemCount).inputValue()).toBe('2');
      expect(await field(FORM_LABELS.eventName).inputValue()).toBe('Lantern Hill Night Market');
      expect(await field(FORM_LABELS.eventStartDate).inputValue()).toBe(`March 4, ${EVENT_YEAR}`);
      expect(await field(FORM_LABELS.dailyOpenTime).inputValue()).toBe('10 AM');
      expect(await answer(FORM_LABELS.smsConsent, 'Yes').isChecked()).toBe(true);
      expect(await field(FORM_LABELS.eventAddress).inputValue()).toBe('');
      expect(await field(FORM_LABELS.attestation).isChecked()).toBe(false);

      await field(FORM_LABELS.email).fill('marisol@example.org');
      await field(FORM_LABELS.healthDistrict).selectOption({ label: 'North County' });
      await field(FORM_LABELS.foodPreparation).selectOption({ label: 'All on site' });
      await field(FORM_LABELS.certifiedFoodHandler).fill('Marisol Quintero');
      await field(FORM_LABELS.eventAddress).fill('48 Orchard Lane, Springfield');
      await field(FORM_LABELS.eventCoordinatorName).fill('Teodor Vance');
      await field(FORM_LABELS.eventCoordinatorPhone).fill('(212) 555-0187');
      await field(FORM_LABELS.eventEndDate).fill(`03/05/${EVENT_YEAR}`);
      await field(FORM_LABELS.dailyCloseTime).fill('9:30 pm');
      await field(FORM_LABELS.attestation).check();

      const accepted = await submitWith('Submit application');

      expect(accepted.status()).toBe(200);
      expect(new URL(suite.page.url()).pathname).toBe('/apply/resume');
      const reference = (await suite.page.locator('#reference').textContent())?.trim() ?? '';
      expect(reference).toMatch(REFERENCE_PATTERN);
      const applications = await running.db.execute('SELECT id, reference, status, channel FROM applications');
      expect(applications.rows).toEqual([
        expect.objectContaining({ id: draftId, reference, status: 'submitted', channel: 'voice' }),
      ]);
      const outbox = await running.db.execute('SELECT application_id, status FROM sms_outbox');
      expect(outbox.rows).toEqual([expect.objectContaining({ application_id: draftId, status: 'pending' })]);
      const stored = await tools.repository.find(draftId);
      expect(stored?.fields).toMatchObject({
        businessName: 'Pupuseria "La Ceiba"',
        menuItems: MENU,
        eventEndDate: `${EVENT_YEAR}-03-05`,
        dailyCloseTime: '21:30',
        email: 'marisol@example.org',
      });

      // The same link now says the application is in, with its reference only.
      await suite.page.goto(`${running.url}${link.pathname}`);
      expect(await suite.page.getByRole('heading', { level: 1 }).textContent()).toBe(
        'This application has already been sent',
      );
      expect((await suite.page.locator('#reference').textContent())?.trim()).toBe(reference);
      expect(await suite.page.locator('form').count()).toBe(0);
      expect(suite.offSiteRequests).toEqual([]);
    },
    SCENARIO_TIMEOUT_MS,
  );
});

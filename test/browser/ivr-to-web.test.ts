import { describe, expect, it } from 'vitest';
import { browserSuite, FORM_LABELS, hasChromium, REFERENCE_PATTERN } from '../support/browser.ts';
import { formatDateForPeople, todayIn } from '../../src/permits/field-inputs.ts';
import { freePort } from '../../src/sim/free-port.ts';
import { runIvrCall, type IvrCallerInput } from '../../src/sim/ivr-caller.ts';
import { ApplicationRepository } from '../../src/store/application-repository.ts';
import { CallRepository } from '../../src/store/call-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { testDataKeys } from '../support/keys.ts';
import { startTestService, testConfig } from '../support/service.ts';
import { eventually } from '../support/wait.ts';

/**
 * Issue 5, end to end: a caller goes through the keypad and speech IVR
 * (signed Digits and SpeechResult posts from the call simulator), asks for
 * the web link, gets it by text from the service's own Twilio stand-in,
 * opens it in real Chromium with JavaScript off, finds what they said and
 * pressed already filled in, finishes the form and gets a reference for the
 * same application the call began, with the summary text sent afterwards.
 */

const SCENARIO_TIMEOUT_MS = 45_000;

const TWILIO_AUTH_TOKEN = 'test-ivr-to-web-auth-token';
/** Fictional caller (+1 312 555 01xx); its callback number is confirmed on the call, so it is also the contact phone. */
const CALLER = '+13125550177';
const CALLER_AS_SHOWN = '312-555-0177';
const CALL_SID = `CA${'5e'.repeat(16)}`;

const press = (keys: string): IvrCallerInput => ({ press: keys });
const say = (text: string, confidence = 0.92): IvrCallerInput => ({ say: text, confidence });

describe.skipIf(!hasChromium)('from the IVR to the web form in Chromium without JavaScript', () => {
  // The stand-in posts status callbacks to PUBLIC_BASE_URL and the text's link is built on it, so it is this service's real address.
  const suite = browserSuite(async () => {
    const port = await freePort();
    return startTestService({
      PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      TWILIO_AUTH_TOKEN,
      SMS_WORKER: 'true',
      SMS_RATE_PER_SECOND: '0',
      SMS_POLL_INTERVAL_MS: '50',
    });
  });
  const { submitWith, answer, field } = suite;

  /** A day `days` from the department's today: its ISO date and its keys (MMDD). */
  function dayAhead(days: number): { iso: string; keys: string } {
    const [year = 0, month = 1, day = 1] = todayIn(testConfig().departmentTimeZone, new Date()).split('-').map(Number);
    const iso = new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
    return { iso, keys: iso.slice(5, 7) + iso.slice(8, 10) };
  }

  it(
    'when a caller asks for the web link at the end of an IVR call, then the texted link opens the form prefilled with the phone answers, and finishing it submits that same application with a summary text',
    async () => {
      const running = suite.service;
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
        inputs: [
          // Nothing at the offer of Spanish: the call goes on in English.
          { silence: true },
          press('1'),
          press('1'),
          say('Juniper Arepa Stand.'),
          press('1'),
          say('27 Willow Court, Springfield.'),
          press('1'),
          press(start.keys),
          press(end.keys),
          press('1'),
        ],
      });
      expect(call.errors).toEqual([]);
      expect(call.endedBy).toBe('hangup');
      expect(call.inputsUsed).toBe(10);
      expect(call.requests.every((r) => r.status === 200)).toBe(true);
      expect(call.requests.some((r) => r.params.SpeechResult !== undefined)).toBe(true);

      const calls = await running.db.execute({
        sql: 'SELECT application_id FROM calls WHERE call_sid = ?',
        args: [CALL_SID],
      });
      const applicationId = calls.rows[0]?.application_id;
      if (typeof applicationId !== 'string') throw new Error('the call has no application');

      // 2. The text with the link, as the stand-in received it from the worker.
      const linkText = () => standIn.messages.find((m) => m.to === CALLER && m.body.includes('/apply/resume/'));
      await eventually(() => Promise.resolve(linkText() !== undefined), 'the web link is texted to the caller');
      const link = /(http:\/\/127\.0\.0\.1:\d+\/apply\/resume\/\S+)/.exec(linkText()?.body ?? '')?.[1] ?? '';
      expect(new URL(link).origin).toBe(new URL(running.url).origin);

      // 3. The link in Chromium: what was said and pressed is there.
      const opened = await suite.page.goto(link);
      expect(opened?.status()).toBe(200);
      expect(await suite.page.getByRole('heading', { level: 1 }).textContent()).toBe(
        'Temporary food event permit application',
      );
      expect(await field(FORM_LABELS.businessName).inputValue()).toBe('Juniper Arepa Stand');
      expect(await field(FORM_LABELS.eventAddress).inputValue()).toBe('27 Willow Court, Springfield');
      expect(await field(FORM_LABELS.eventStartDate).inputValue()).toBe(formatDateForPeople(start.iso));
      expect(await field(FORM_LABELS.eventEndDate).inputValue()).toBe(formatDateForPeople(end.iso));
      expect(await field(FORM_LABELS.contactPhone).inputValue()).toBe(CALLER_AS_SHOWN);
      expect(await field(FORM_LABELS.applicantName).inputValue()).toBe('');
      expect(await field(FORM_LABELS.attestation).isChecked()).toBe(false);

      // 4. The rest, by hand.
      await field(FORM_LABELS.applicantName).fill('Benedita Rourke');
      await field(FORM_LABELS.entityType).selectOption({ label: 'LLC' });
      await field(FORM_LABELS.healthDistrict).selectOption({ label: 'North County' });
      await field(FORM_LABELS.menuItems).fill('Arepas de queso\nChicha morada');
      await answer(FORM_LABELS.servesTcsFoods, 'Yes').check();
      await field(FORM_LABELS.tcsItemCount).fill('1');
      await field(FORM_LABELS.foodPreparation).selectOption({ label: 'All on site' });
      await field(FORM_LABELS.certifiedFoodHandler).fill('Benedita Rourke');
      await field(FORM_LABELS.eventName).fill('Willow Court Summer Fair');
      await field(FORM_LABELS.eventCoordinatorName).fill('Osric Pellham');
      await field(FORM_LABELS.eventCoordinatorPhone).fill('(312) 555-0188');
      await field(FORM_LABELS.dailyOpenTime).fill('11am');
      await field(FORM_LABELS.dailyCloseTime).fill('7 pm');
      await answer(FORM_LABELS.smsConsent, 'Yes').check();
      await field(FORM_LABELS.attestation).check();

      const accepted = await submitWith('Submit application');

      expect(accepted.status()).toBe(200);
      expect(new URL(suite.page.url()).pathname).toBe('/apply/resume');
      const reference = (await suite.page.locator('#reference').textContent())?.trim() ?? '';
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
      expect(
        outbox
          .map((entry) => ({ kind: entry.kind, toPhone: entry.toPhone, status: entry.status }))
          .sort((a, b) => a.kind.localeCompare(b.kind)),
      ).toEqual([
        { kind: 'summary', toPhone: CALLER, status: 'sent' },
        { kind: 'web-link', toPhone: CALLER, status: 'sent' },
      ]);
      const toCaller = standIn.messages.filter((m) => m.to === CALLER);
      expect(toCaller).toHaveLength(2);
      expect(toCaller[1]?.body).toContain(reference);
      expect(toCaller[1]?.body).not.toContain('/apply/resume/');

      // Nothing the caller said or keyed reaches the log.
      for (const personal of ['Juniper', 'Willow Court', 'Benedita', '5550177', '555-0177'])
        expect(running.log.text).not.toContain(personal);
      expect(suite.offSiteRequests).toEqual([]);
    },
    SCENARIO_TIMEOUT_MS,
  );
});

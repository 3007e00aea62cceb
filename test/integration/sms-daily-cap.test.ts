import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationService } from '../../src/intake/application-service.ts';
import { PermitToolbox } from '../../src/intake/permit-tools.ts';
import { loadIvrLines } from '../../src/ivr/ivr-lines.ts';
import { todayIn } from '../../src/permits/field-inputs.ts';
import { PermitRules } from '../../src/permits/permit-rules.ts';
import { runIvrCall, type IvrCallerInput } from '../../src/sim/ivr-caller.ts';
import { completeApplication } from '../support/applications.ts';
import { eventFormFields, FormClient } from '../support/form-client.ts';
import { TO_THE_WEB_LINK_OFFER } from '../support/ivr.ts';
import { PUBLIC_BASE_URL, TWILIO_AUTH_TOKEN } from '../support/voice.ts';
import { draftTools, startWebService, type WebService } from '../support/web-service.ts';

/**
 * At most SMS_PER_NUMBER_PER_DAY texts (summaries and web links together) to
 * one number, whatever the channel: the keypad IVR's web link, the web form,
 * the voice agent's submit. The real service over HTTP and a real libSQL
 * file; the voice tool runs over the same database, as the call path runs it.
 * Over the cap the application is still submitted and its reference given;
 * only the text is not queued, and the applicant is told.
 */

const PER_DAY = 2;
/** The fixtures' contact phone, as Twilio gives a caller's number. */
const NUMBER = '+12125550142';
const lines = loadIvrLines();
const APPLY_ADDRESS = 'permits dot example dot test slash apply';
const REFERENCE = /id="reference">(FP-\d{4}-[2-9A-HJKMNP-Z]{6})</;
const TEXTS_WILL_FOLLOW = 'We will also send it to you by text message.';
const NO_TEXT_TODAY =
  'We cannot send it by text message: this phone number has already had the most texts we send in one day. Please write it down now.';

/** A cottage food operation by keypad and speech, up to the offer of a text with the web link, which is taken. */
const askForTheWebLink: IvrCallerInput[] = [...TO_THE_WEB_LINK_OFFER, { press: '1' }];

let service: WebService;

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => ['127.0.0.1', 'localhost'].includes(host.replace(/:\d+$/, '')));
  service = await startWebService({
    PUBLIC_BASE_URL,
    TWILIO_AUTH_TOKEN,
    SMS_PER_NUMBER_PER_DAY: String(PER_DAY),
  });
});
afterAll(async () => {
  await service.close();
  nock.enableNetConnect();
});

async function texts(): Promise<number> {
  return Number((await service.db.execute('SELECT count(*) AS n FROM sms_outbox')).rows[0]?.n);
}

const ivrCall = (n: number, from = NUMBER) =>
  runIvrCall({
    serviceUrl: service.url,
    publicBaseUrl: PUBLIC_BASE_URL,
    authToken: TWILIO_AUTH_TOKEN,
    callSid: `CA${(0x5c000 + n).toString(16).padStart(32, '0')}`,
    from,
    inputs: askForTheWebLink,
  });

async function submitForm(client: FormClient, contactPhone = NUMBER) {
  const form = await client.openForm('temporary_food_event');
  const fields = { ...eventFormFields(), contactPhone, _csrf: form.csrf, formId: form.formId };
  return { fields, res: await client.post('/apply', fields) };
}

describe('the daily cap on texts to one number', () => {
  it('when the IVR web link and web forms reach the cap, then the next form is still submitted with its reference, no text is queued, and the page says so', async () => {
    const first = await ivrCall(1);
    expect(first.heard.at(-1)).toBe(lines.line('webLinkSent'));
    const client = new FormClient(service.url);
    const second = await submitForm(client);
    expect(second.res.html).toContain(TEXTS_WILL_FOLLOW);
    expect(await texts()).toBe(PER_DAY);

    const third = await submitForm(client);

    expect(third.res.status).toBe(200);
    const reference = REFERENCE.exec(third.res.html)?.[1];
    expect(reference).toBeDefined();
    expect(third.res.html).toContain(NO_TEXT_TODAY);
    expect(third.res.html).not.toContain(TEXTS_WILL_FOLLOW);
    const stored = await service.db.execute({
      sql: 'SELECT status FROM applications WHERE reference = ?',
      args: [reference ?? ''],
    });
    expect(stored.rows).toEqual([expect.objectContaining({ status: 'submitted' })]);
    expect(await texts()).toBe(PER_DAY);

    // The same form sent again: the same reference, and still no text promised.
    const again = await client.post('/apply', third.fields);
    expect(REFERENCE.exec(again.html)?.[1]).toBe(reference);
    expect(again.html).toContain(NO_TEXT_TODAY);
  });

  it('when web forms reached the cap and a caller from that number asks the IVR for the web link, then no text is queued and they are told how to finish instead', async () => {
    const other = '+12125550143';
    const client = new FormClient(service.url);
    for (let n = 0; n < PER_DAY; n++) expect((await submitForm(client, other)).res.html).toContain(TEXTS_WILL_FOLLOW);
    const before = await texts();

    const call = await ivrCall(2, other);

    expect(call.errors).toEqual([]);
    expect(call.heard.at(-1)).toBe(
      lines.line('webLinkFailed', { applyAddress: APPLY_ADDRESS, resumeWindow: 'seven days' }),
    );
    expect(await texts()).toBe(before);
  });

  it('when the cap is reached and the voice agent submits, then the tool says no text will be sent and the application is submitted', async () => {
    const before = await texts();
    const { repository } = draftTools(service);
    const rules = new PermitRules({
      healthDistricts: service.config.healthDistricts,
      today: () => todayIn(service.config.departmentTimeZone, new Date()),
    });
    const applications = new ApplicationService({
      repository,
      rules,
      timeZone: service.config.departmentTimeZone,
      textsPerNumberPerDay: service.config.limits.textsPerNumberPerDay,
    });
    const id = await applications.startDraft('voice');
    const tools = new PermitToolbox(applications, rules, id);
    await tools.run('update_application', JSON.stringify(completeApplication('cottage_food_operation')));
    await tools.run('get_application', '{}');

    const submitted = await tools.run('submit_application', JSON.stringify({ caller_confirmed: true }));

    const output = JSON.parse(submitted.output) as Record<string, unknown>;
    expect(output).toMatchObject({ ok: true, text_message_will_follow: false });
    expect(output.text_message_not_sent).toMatch(/^No text message can be sent to this phone number today/);
    expect((await applications.find(id))?.status).toBe('submitted');
    expect(await texts()).toBe(before);
  });

  it('when texts were refused by the cap, then the log says so without the number', () => {
    expect(service.log.text).toContain('submitted without its summary text');
    expect(service.log.text).toContain('IVR queued no web link');
    for (const digits of ['5550142', '555-0142', '5550143', '555-0143']) expect(service.log.text).not.toContain(digits);
  });
});

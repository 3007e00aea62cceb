import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTwilioStandIn, type TwilioStandIn } from '../../src/sim/twilio-stand-in.ts';
import { OPTED_OUT_REASON } from '../../src/sms/outbox-worker.ts';
import { SMS_REPLIES } from '../../src/sms/sms-routes.ts';
import { SmsOutboxRepository } from '../../src/store/sms-outbox-repository.ts';
import { eventFormFields, FormClient } from '../support/form-client.ts';
import { startTestService, type TestService } from '../support/service.ts';
import {
  cipher,
  messageSid,
  outboxIdOf,
  queueSummaries,
  STAND_IN_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
} from '../support/sms.ts';
import { postTwilioWebhook } from '../support/twilio-webhook.ts';

/** Twilio's messaging webhooks over real HTTP against the real service and libSQL. */

const PUBLIC_BASE_URL = 'https://permits.example.org';
// The form's contact phone (eventFormFields), as Twilio writes it in From.
const APPLICANT_PHONE = '+12125550142';

let service: TestService;
let standIn: TwilioStandIn;

beforeAll(async () => {
  standIn = await startTwilioStandIn({ accountSid: STAND_IN_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN, deliver: false });
  service = await startTestService(
    { PUBLIC_BASE_URL, TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN, SMS_RATE_PER_SECOND: '0' },
    { twilioApiBaseUrl: standIn.baseUrl },
  );
});
afterAll(async () => {
  await service.close();
  await standIn.close();
});
beforeEach(async () => {
  await service.db.batch(
    ['DELETE FROM sms_consent', 'DELETE FROM sms_outbox', 'DELETE FROM application_fields', 'DELETE FROM applications'],
    'write',
  );
});

const post = (path: string, params: Record<string, string>, signature: 'valid' | 'forged' | 'none' = 'valid') =>
  postTwilioWebhook(
    { serviceUrl: service.url, publicBaseUrl: PUBLIC_BASE_URL, authToken: TEST_AUTH_TOKEN },
    path,
    params,
    signature,
  );
const outbox = () => new SmsOutboxRepository(service.db, cipher());

/** An outbox row that the worker has sent, with this SID. */
async function sentRow(sid: string): Promise<string> {
  const [applicationId = ''] = await queueSummaries(service.db, 1);
  const id = await outboxIdOf(service.db, applicationId);
  await outbox().markSent(id, sid);
  return id;
}

async function submitByForm(language: 'en' | 'es' = 'en'): Promise<string> {
  const client = new FormClient(service.url);
  const form = await client.openForm('temporary_food_event');
  const res = await client.post('/apply', {
    ...eventFormFields(),
    _csrf: form.csrf,
    formId: form.formId,
    lang: language,
  });
  const reference = /id="reference">([^<]+)</.exec(res.html)?.[1];
  if (reference === undefined) throw new Error(`the form was not accepted: ${res.html.slice(0, 300)}`);
  return reference;
}

describe('SMS status callbacks', () => {
  it('when delivered arrives before a late sent, then the row stays delivered', async () => {
    const id = await sentRow(messageSid(1));

    const delivered = await post('/twilio/sms/status', { MessageSid: messageSid(1), MessageStatus: 'delivered' });
    const lateSent = await post('/twilio/sms/status', { MessageSid: messageSid(1), MessageStatus: 'sent' });

    expect([delivered.status, lateSent.status]).toEqual([200, 200]);
    expect(await outbox().find(id)).toMatchObject({ status: 'sent', deliveryStatus: 'delivered' });
  });

  it('when the carrier fails a message, then its error code is recorded, and a duplicate callback changes nothing', async () => {
    const id = await sentRow(messageSid(2));

    await post('/twilio/sms/status', { MessageSid: messageSid(2), MessageStatus: 'sent' });
    await post('/twilio/sms/status', { MessageSid: messageSid(2), MessageStatus: 'undelivered', ErrorCode: '30003' });
    await post('/twilio/sms/status', { MessageSid: messageSid(2), MessageStatus: 'delivered' });

    expect(await outbox().find(id)).toMatchObject({ deliveryStatus: 'undelivered', errorCode: 30003 });
  });

  it('when a callback names a message we never sent, then it gets 200 (so Twilio stops) and nothing is created', async () => {
    const res = await post('/twilio/sms/status', { MessageSid: messageSid(999), MessageStatus: 'delivered' });

    expect(res.status).toBe(200);
    expect((await service.db.execute('SELECT count(*) AS n FROM sms_outbox')).rows[0]?.n).toBe(0);
    expect(service.log.text).toContain('SMS status callback for a message we did not send');
  });

  it('when a callback is unsigned, forged or malformed, then it is refused and nothing changes', async () => {
    const id = await sentRow(messageSid(3));
    const params = { MessageSid: messageSid(3), MessageStatus: 'delivered' };

    const unsigned = await post('/twilio/sms/status', params, 'none');
    const forged = await post('/twilio/sms/status', params, 'forged');
    const malformed = await post('/twilio/sms/status', { MessageStatus: 'delivered' });

    expect([unsigned.status, forged.status, malformed.status]).toEqual([403, 403, 400]);
    expect((await outbox().find(id))?.deliveryStatus).toBeUndefined();
  });
});

describe('inbound SMS', () => {
  it('when the applicant texts STOP and then submits, then no text is sent and the row says why; after START the next one is sent', async () => {
    const stop = await post('/twilio/sms', { From: APPLICANT_PHONE, Body: ' stop ' });
    expect(stop.status).toBe(200);
    expect(stop.body).toContain(`<Message>${SMS_REPLIES.en.stop}</Message>`);
    const createsBefore = standIn.createRequests;

    await submitByForm();
    await service.smsWorker.drain();

    const [blocked] = (await service.db.execute('SELECT status, failure_reason FROM sms_outbox')).rows;
    expect(blocked).toMatchObject({ status: 'failed', failure_reason: OPTED_OUT_REASON });
    expect(standIn.createRequests).toBe(createsBefore);

    const start = await post('/twilio/sms', { From: APPLICANT_PHONE, Body: 'START' });
    expect(start.body).toContain(SMS_REPLIES.en.start);
    const reference = await submitByForm();
    await service.smsWorker.drain();

    expect(standIn.createRequests).toBe(createsBefore + 1);
    expect(standIn.messages.at(-1)).toMatchObject({
      to: APPLICANT_PHONE,
      body: expect.stringContaining(reference) as unknown,
    });
    expect(service.log.text).not.toContain('2125550142');
  });

  it('when the applicant texts STATUS, then the reply gives the reference and state only; an unknown number is told there is none', async () => {
    const reference = await submitByForm();

    const known = await post('/twilio/sms', { From: APPLICANT_PHONE, Body: 'status' });
    const unknown = await post('/twilio/sms', { From: '+13125550166', Body: 'STATUS' });

    expect(known.body).toContain(`Your permit application ${reference} is submitted and waiting for review.`);
    expect(known.body).not.toContain('Taco Loco');
    expect(unknown.body).toContain(SMS_REPLIES.en.noApplication);
  });

  it('when the text is HELP or anything else, then the reply says what the number does and how to stop', async () => {
    const help = await post('/twilio/sms', { From: APPLICANT_PHONE, Body: 'HELP' });
    const other = await post('/twilio/sms', { From: APPLICANT_PHONE, Body: 'who is this?' });

    expect(help.body).toContain(SMS_REPLIES.en.help);
    expect(other.body).toContain(SMS_REPLIES.en.help);
    expect((await service.db.execute('SELECT count(*) AS n FROM sms_consent')).rows[0]?.n).toBe(0);
  });

  it('when an applicant who applied in Spanish texts HELP or STATUS, or anyone texts AYUDA or ESTADO, then the reply is Spanish', async () => {
    const reference = await submitByForm('es');

    const help = await post('/twilio/sms', { From: APPLICANT_PHONE, Body: 'HELP' });
    const status = await post('/twilio/sms', { From: APPLICANT_PHONE, Body: 'Estado.' });
    const ayuda = await post('/twilio/sms', { From: '+13125550166', Body: 'ayuda' });
    const estado = await post('/twilio/sms', { From: '+13125550166', Body: 'ESTADO' });

    expect(help.body).toContain(`<Message>${SMS_REPLIES.es.help}</Message>`);
    expect(SMS_REPLIES.es.help).toContain('Responda ESTADO');
    expect(status.body).toContain(`Su solicitud de permiso ${reference} se envio y espera revision.`);
    expect(ayuda.body).toContain(SMS_REPLIES.es.help);
    expect(estado.body).toContain(SMS_REPLIES.es.noApplication);
    // STOP is acted on whatever the language, and confirmed in it.
    const stop = await post('/twilio/sms', { From: APPLICANT_PHONE, Body: 'STOP' });
    expect(stop.body).toContain(`<Message>${SMS_REPLIES.es.stop}</Message>`);
    expect((await service.db.execute('SELECT count(*) AS n FROM sms_consent')).rows[0]?.n).toBe(1);
  });

  it('when an inbound text is unsigned, then it is refused and no consent changes', async () => {
    const res = await post('/twilio/sms', { From: APPLICANT_PHONE, Body: 'STOP' }, 'none');

    expect(res.status).toBe(403);
    expect((await service.db.execute('SELECT count(*) AS n FROM sms_consent')).rows[0]?.n).toBe(0);
  });
});

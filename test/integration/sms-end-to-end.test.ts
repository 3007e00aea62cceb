import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/sim/free-port.ts';
import { eventFormFields, FormClient } from '../support/form-client.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { eventually } from '../support/wait.ts';

/**
 * The whole SMS path as `npm start` runs it without a Twilio account: a web
 * submission, the worker inside the service, the local Twilio stand-in, its
 * signed status callbacks back to the service, and the link in the text.
 */

let service: TestService;

beforeAll(async () => {
  // The stand-in posts status callbacks to PUBLIC_BASE_URL, so it has to be this service's real address.
  const port = await freePort();
  service = await startTestService({
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    SMS_WORKER: 'true',
    SMS_RATE_PER_SECOND: '0',
    SMS_POLL_INTERVAL_MS: '50',
  });
});
afterAll(async () => {
  await service.close();
});

describe('the SMS summary, end to end', () => {
  it('when an application is submitted, then one text with its reference and review link is sent, delivered, and the link shows the application', async () => {
    const standIn = service.twilioStandIn;
    if (standIn === undefined) throw new Error('the service did not start the local Twilio stand-in');
    const client = new FormClient(service.url);
    const form = await client.openForm('temporary_food_event');
    const res = await client.post('/apply', { ...eventFormFields(), _csrf: form.csrf, formId: form.formId });
    const reference = /id="reference">([^<]+)</.exec(res.html)?.[1] ?? '';

    await eventually(async () => {
      const row = (await service.db.execute('SELECT delivery_status FROM sms_outbox')).rows[0];
      return row?.delivery_status === 'delivered';
    }, 'the stand-in reports the text delivered');

    expect(standIn.messages).toHaveLength(1);
    const text = standIn.messages[0];
    expect(text?.to).toBe('+12125550142');
    expect(text?.body).toContain(reference);
    const link = /(http:\/\/127\.0\.0\.1:\d+\/s\/\S+)/.exec(text?.body ?? '')?.[1] ?? '';
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`id="reference">${reference}<`);
    const tampered = await fetch(`${link.slice(0, -1)}${link.endsWith('A') ? 'B' : 'A'}`);
    expect(tampered.status).toBe(404);
    const row = (await service.db.execute('SELECT status, message_sid, attempts FROM sms_outbox')).rows[0];
    expect(row).toMatchObject({ status: 'sent', message_sid: text?.sid, attempts: 1 });
  });
});

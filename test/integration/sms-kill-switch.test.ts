import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../src/sim/free-port.ts';
import { startTwilioStandIn, type TwilioStandIn } from '../../src/sim/twilio-stand-in.ts';
import { AuditLog } from '../../src/store/audit-log.ts';
import { ServiceSwitches } from '../../src/store/service-switches.ts';
import { eventFormFields, FormClient } from '../support/form-client.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { STAND_IN_ACCOUNT_SID, TEST_AUTH_TOKEN } from '../support/sms.ts';
import { eventually, pause, waitUntil } from '../support/wait.ts';

/**
 * The sms-sending kill switch on the real service and libSQL, sending to the
 * local Twilio stand-in: while it is off a submitted application's summary
 * stays queued, unsent; once it is on again the summary goes out.
 */

let service: TestService | undefined;
let standIn: TwilioStandIn | undefined;

afterEach(async () => {
  await service?.close();
  await standIn?.close();
  service = undefined;
  standIn = undefined;
});

const switchesOf = (s: TestService) => new ServiceSwitches(s.db, new AuditLog(s.db));

/** A web submission, which queues its SMS summary; its reference. */
async function submitApplication(s: TestService): Promise<string> {
  const client = new FormClient(s.url);
  const form = await client.openForm('temporary_food_event');
  const res = await client.post('/apply', { ...eventFormFields(), _csrf: form.csrf, formId: form.formId });
  const reference = /id="reference">([^<]+)</.exec(res.html)?.[1] ?? '';
  expect(reference).not.toBe('');
  return reference;
}

async function outboxRows(s: TestService) {
  return (await s.db.execute('SELECT status, attempts, message_sid FROM sms_outbox')).rows;
}

describe('the sms-sending kill switch', () => {
  it('when sms-sending is off, then a queued summary stays pending and unsent through a worker drain; when it is on again, the next drain sends it', async () => {
    standIn = await startTwilioStandIn({
      accountSid: STAND_IN_ACCOUNT_SID,
      authToken: TEST_AUTH_TOKEN,
      deliver: false,
    });
    service = await startTestService(
      { PUBLIC_BASE_URL: 'https://permits.example.org', TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN, SMS_RATE_PER_SECOND: '0' },
      { twilioApiBaseUrl: standIn.baseUrl },
    );
    const switches = switchesOf(service);
    await switches.set('sms-sending', 'off', { actor: 'cli:ops', sourceAddress: 'local', reason: 'carrier incident' });
    const reference = await submitApplication(service);

    const handledWhileOff = await service.smsWorker.drain();

    expect(handledWhileOff).toBe(0);
    expect(await outboxRows(service)).toEqual([expect.objectContaining({ status: 'pending', attempts: 0 })]);
    expect(standIn.messages).toHaveLength(0);
    expect(service.log.text).toContain('the sms-sending switch is off: texts stay queued, unsent');

    await switches.set('sms-sending', 'on', { actor: 'cli:ops', sourceAddress: 'local' });
    const handledWhenOn = await service.smsWorker.drain();

    expect(handledWhenOn).toBe(1);
    expect(standIn.messages).toHaveLength(1);
    expect(standIn.messages[0]?.body).toContain(reference);
    expect(await outboxRows(service)).toEqual([
      expect.objectContaining({ status: 'sent', message_sid: standIn.messages[0]?.sid }),
    ]);
  });

  it('when sms-sending is off while the worker runs in the service, then polls leave the summary queued, and turning it on sends it without a restart', async () => {
    // The in-service stand-in posts status callbacks to PUBLIC_BASE_URL, so it is this service's real address.
    const port = await freePort();
    service = await startTestService({
      PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      SMS_WORKER: 'true',
      SMS_RATE_PER_SECOND: '0',
      SMS_POLL_INTERVAL_MS: '50',
    });
    const running = service;
    const local = running.twilioStandIn;
    if (local === undefined) throw new Error('the service did not start the local Twilio stand-in');
    const switches = switchesOf(running);
    await switches.set('sms-sending', 'off', { actor: 'cli:ops', sourceAddress: 'local' });

    const reference = await submitApplication(running);
    await waitUntil(
      () => running.log.text.includes('the sms-sending switch is off'),
      'the running worker sees the switch off',
    );
    // Several polls (and the wake-up the submission sent) go by with the switch off.
    await pause(300);

    expect(local.messages).toHaveLength(0);
    expect(await outboxRows(running)).toEqual([expect.objectContaining({ status: 'pending', attempts: 0 })]);

    await switches.set('sms-sending', 'on', { actor: 'cli:ops', sourceAddress: 'local' });

    await eventually(
      async () => (await outboxRows(running))[0]?.status === 'sent',
      'the summary is sent at a poll after the switch is on',
    );
    expect(local.messages).toHaveLength(1);
    expect(local.messages[0]?.body).toContain(reference);
    expect(running.log.text).toContain('the sms-sending switch is on again: sending the outbox');
  });
});

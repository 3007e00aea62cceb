import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIvrCatalogue } from '../../src/ivr/ivr-lines.ts';
import { runIvrCall, type IvrCallerInput, type IvrCallResult } from '../../src/sim/ivr-caller.ts';
import { CallBackRequests } from '../../src/store/call-back-requests.ts';
import { CallRepository } from '../../src/store/call-repository.ts';
import { SmsOutboxRepository } from '../../src/store/sms-outbox-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { languageOffer } from '../support/ivr.ts';
import { testDataKeys } from '../support/keys.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { CLERK, StaffClient, addStaffUser } from '../support/staff.ts';
import { postTwilioWebhook } from '../support/twilio-webhook.ts';
import { outboxIdOf } from '../support/sms.ts';
import { PUBLIC_BASE_URL, TWILIO_AUTH_TOKEN } from '../support/voice.ts';

/**
 * The IVR in Spanish, and keypad 0, over real HTTP on the whole service and a libSQL file: one service whose
 * office is open all week, one whose office is open only on a day that is not today. The staff page is read
 * with a signed-in session.
 */

const STAFF_NUMBER = '+14255550100';
const catalogue = loadIvrCatalogue();
const { en, es } = catalogue;
let open: TestService;
let closed: TestService;

/** Office hours on one day of the week that is not today (in the department's zone): closed all of today. */
function hoursNotToday(): string {
  const today = new Intl.DateTimeFormat('en-US', { weekday: 'short', timeZone: 'America/Los_Angeles' }).format(
    new Date(),
  );
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  return `${days[(days.indexOf(today) + 3) % 7] ?? 'Sun'} 08:00-17:00`;
}

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => ['127.0.0.1', 'localhost'].includes(host.replace(/:\d+$/, '')));
  const env = { PUBLIC_BASE_URL, TWILIO_AUTH_TOKEN, STAFF_TRANSFER_NUMBER: STAFF_NUMBER };
  open = await startTestService({ ...env, OFFICE_HOURS: 'Mon-Sun 00:00-24:00' });
  closed = await startTestService({ ...env, OFFICE_HOURS: hoursNotToday() });
  await addStaffUser(closed.db, CLERK.username, 'staff', CLERK.password);
}, 60_000);
afterAll(async () => {
  await open.close();
  await closed.close();
  nock.enableNetConnect();
});

const callSid = (n: number) => `CA${(0x3a000 + n).toString(16).padStart(32, '0')}`;
const caller = (n: number) => `+1312555${String(150 + n).padStart(4, '0')}`;

function call(service: TestService, n: number, inputs: readonly IvrCallerInput[]): Promise<IvrCallResult> {
  return runIvrCall({
    serviceUrl: service.url,
    publicBaseUrl: PUBLIC_BASE_URL,
    authToken: TWILIO_AUTH_TOKEN,
    callSid: callSid(n),
    from: caller(n),
    inputs,
  });
}

describe('the IVR in Spanish, and a person one key away', () => {
  it('when the caller presses 2 at the welcome, then the rest of the call is in Spanish (es-US), Spanish answers are understood, and the choice is kept', async () => {
    const result = await call(open, 1, [{ press: '2' }, { say: 'comida casera', confidence: 0.9 }, { say: 'sí' }]);
    expect(result.errors).toEqual([]);
    expect(result.heard.slice(0, 3)).toEqual([...languageOffer(catalogue), es.line('welcome')]);
    expect(result.heard).toContain(es.line('permitTypeChosen', { label: 'Comida casera' }));
    expect(result.heard).toContain(es.line('callbackSaved'));
    expect(result.heard).toContain(es.line('businessNameQuestion'));
    // After the offer, every Say and every Gather is Spanish.
    const afterOffer = result.requests.slice(1).map((r) => r.body);
    for (const body of afterOffer) {
      expect(body).not.toContain('language="en-US"');
      expect(body).toContain('language="es-US"');
    }
    const [row] = (
      await open.db.execute({ sql: 'SELECT language FROM calls WHERE call_sid = ?', args: [result.callSid] })
    ).rows;
    expect(row?.language).toBe('es');
  });

  it('when the caller presses 0 at a question in office hours, then they are told their answers are kept and the staff line is dialled', async () => {
    const result = await call(open, 2, [{ silence: true }, { press: '0' }]);
    expect(result.errors).toEqual([]);
    expect(result.dialled).toEqual([STAFF_NUMBER]);
    const dialled = result.requests.at(-1)?.body ?? '';
    expect(dialled).toContain(`<Dial timeout="25">${STAFF_NUMBER}</Dial>`);
    expect(dialled.indexOf(en.line('transferring'))).toBeLessThan(dialled.indexOf('<Dial'));
    expect(result.endedBy).toBe('hangup');
  });

  it('when the caller presses 0 outside office hours and then 1, then nobody is rung, a call back is recorded once, and staff see it and can mark it done', async () => {
    const result = await call(closed, 3, [{ silence: true }, { press: '1' }, { press: '0' }, { press: '1' }]);
    expect(result.errors).toEqual([]);
    expect(result.dialled).toEqual([]);
    expect(result.requests.every((r) => !r.body.includes('<Dial'))).toBe(true);
    expect(result.heard).toContain(en.line('callBackOffer'));
    expect(result.heard.at(-1)).toBe(en.line('callBackRecorded', { number: '3 1 2, 5 5 5, 0 1 5 3' }));

    // Twilio retrying the "press 1" records nothing more.
    const repository = new CallBackRequests(closed.db, new FieldCipher(testDataKeys()));
    const pressed = result.requests.at(-1);
    if (pressed === undefined) throw new Error('no request recorded');
    const again = await postTwilioWebhook(
      { serviceUrl: closed.url, publicBaseUrl: PUBLIC_BASE_URL, authToken: TWILIO_AUTH_TOKEN },
      new URL(pressed.url).pathname,
      { ...pressed.params },
    );
    expect(again.body).toBe(pressed.body);
    const waiting = await repository.listOpen();
    expect(waiting).toEqual([
      expect.objectContaining({ callSid: result.callSid, callerNumber: caller(3), language: 'en', channel: 'ivr' }),
    ]);
    // The number is encrypted at rest.
    const stored = await closed.db.execute('SELECT caller_phone FROM call_back_requests');
    expect(stored.rows[0]?.caller_phone).not.toContain('5550153');

    const staff = new StaffClient(closed.url);
    expect((await staff.signIn(CLERK.username, CLERK.password)).status).toBe(303);
    const page = await staff.get('/staff/call-backs');
    expect(page.status).toBe(200);
    expect(page.html).toContain(caller(3));
    expect(page.html).toContain('English');
    const id = waiting[0]?.id ?? '';
    const done = await staff.postFrom('/staff/call-backs', `/staff/call-backs/${id}/done`, {});
    expect(done.status).toBe(200);
    expect(done.html).toContain('Marked as called back.');
    expect(done.html).not.toContain(caller(3));
    expect(await repository.listOpen()).toEqual([]);
    const audit = await closed.db.execute("SELECT actor, subject FROM audit_log WHERE action = 'call-back.done'");
    expect(audit.rows.map((r) => ({ ...r }))).toEqual([{ actor: CLERK.username, subject: `call-back:${id}` }]);

    // Without a session the page is not shown; without the form's token, nothing is marked.
    expect((await new StaffClient(closed.url).get('/staff/call-backs')).status).toBe(303);
  });

  it('when a Spanish caller presses 0 outside office hours, then the hours are said in Spanish and the offer is Spanish', async () => {
    const result = await call(closed, 4, [{ press: '2' }, { press: '0' }, { press: '3' }]);
    expect(result.errors).toEqual([]);
    expect(
      result.heard.some((line) =>
        line.startsWith('Lo siento, nadie puede atender su llamada ahora. La oficina abre el '),
      ),
    ).toBe(true);
    expect(result.heard).toContain(es.line('callBackOffer'));
    expect(result.heard).toContain(es.line('carryOn'));
  });

  it('when the caller asks for a person in words at a menu in office hours, then the staff line is dialled, in English and in Spanish', async () => {
    const english = await call(open, 5, [{ silence: true }, { say: 'can I talk to a person please', confidence: 0.8 }]);
    expect(english.errors).toEqual([]);
    expect(english.dialled).toEqual([STAFF_NUMBER]);
    expect(english.heard).toContain(en.line('transferring'));

    const spanish = await call(open, 6, [{ press: '2' }, { say: 'quiero hablar con una persona', confidence: 0.8 }]);
    expect(spanish.errors).toEqual([]);
    expect(spanish.dialled).toEqual([STAFF_NUMBER]);
    expect(spanish.heard).toContain(es.line('transferring'));
  });

  it('when a business name has a word for a person in it, then it is kept as the name and nobody is rung', async () => {
    const result = await call(open, 7, [
      { silence: true },
      { press: '3' },
      { press: '1' },
      { say: 'Secret Agent Jams', confidence: 0.9 },
    ]);
    expect(result.errors).toEqual([]);
    expect(result.dialled).toEqual([]);
    expect(result.heard).toContain(en.line('heardBack', { value: 'Secret Agent Jams' }));
  });

  it('when a Spanish caller asks for the web link, then the draft is kept in Spanish and the text with the link is Spanish', async () => {
    const result = await call(open, 8, [
      { press: '2' },
      { press: '3' },
      { press: '1' },
      { say: 'Mermeladas del Cerro', confidence: 0.9 },
      { press: '1' },
      { say: 'Calle Huerta 12, Springfield', confidence: 0.9 },
      { press: '1' },
      { press: '1' },
    ]);
    expect(result.errors).toEqual([]);
    expect(result.heard.at(-1)).toBe(es.line('webLinkSent'));
    const cipher = new FieldCipher(testDataKeys());
    const applicationId = (await new CallRepository(open.db, cipher).find(result.callSid))?.applicationId ?? '';
    const [application] = (
      await open.db.execute({ sql: 'SELECT language FROM applications WHERE id = ?', args: [applicationId] })
    ).rows;
    expect(application?.language).toBe('es');
    const text = await new SmsOutboxRepository(open.db, cipher).find(await outboxIdOf(open.db, applicationId));
    expect(text?.kind).toBe('web-link');
    expect(text?.toPhone).toBe(caller(8));
    expect(text?.body).toMatch(
      /^Linea de permisos de comida: termine su solicitud en linea en https?:\S+\/apply\/resume\/\S+ /,
    );
    expect(text?.body).toContain('Responda STOP');
  });
});

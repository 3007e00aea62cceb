import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTwiml } from '../../src/sim/twiml-reader.ts';
import { SMS_REPLIES } from '../../src/sms/sms-routes.ts';
import { ApplicationRepository } from '../../src/store/application-repository.ts';
import { SmsConsentRepository } from '../../src/store/sms-consent-repository.ts';
import { SmsOutboxRepository } from '../../src/store/sms-outbox-repository.ts';
import { cipher, messageSid, outboxIdOf, queueSummaries, referenceFor } from '../support/sms.ts';
import { postTwilioWebhook } from '../support/twilio-webhook.ts';
import { pause } from '../support/wait.ts';
import { PUBLIC_BASE_URL, startVoiceRig, TWILIO_AUTH_TOKEN, type VoiceRig } from '../support/voice.ts';

/**
 * Twilio retries a webhook it timed out on, sometimes while the first
 * request is still being answered. Each webhook here is delivered twice
 * over real HTTP, signed, against the real service and a real libSQL file:
 * the retry must get the same answer and leave every table as the first
 * delivery left it.
 *
 * The web form's double post is covered in apply-form-http.test.ts ("when
 * the same form is posted twice…"): same reference, one application, one
 * outbox row.
 */

let rig: VoiceRig;

beforeAll(async () => {
  // Only loopback: the service, the realtime simulator and the local Twilio stand-in.
  nock.disableNetConnect();
  nock.enableNetConnect((host) => ['127.0.0.1', 'localhost'].includes(host.replace(/:\d+$/, '')));
  rig = await startVoiceRig('happy-path');
});
afterAll(async () => {
  await rig.close();
  nock.enableNetConnect();
});

// Long enough that a retry rewriting a timestamp would show in a millisecond ISO time.
const BETWEEN_DELIVERIES_MS = 30;
const TABLES = ['applications', 'application_fields', 'calls', 'call_turns', 'sms_outbox', 'sms_consent'] as const;

const post = (path: string, params: Record<string, string>) =>
  postTwilioWebhook(
    { serviceUrl: rig.service.url, publicBaseUrl: PUBLIC_BASE_URL, authToken: TWILIO_AUTH_TOKEN },
    path,
    params,
  );

async function rows(sql: string, args: (string | number)[] = []) {
  return (await rig.service.db.execute({ sql, args })).rows.map((row) => ({ ...row }));
}

/** Rows in every table: a retry that adds one anywhere shows here. */
async function tableCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) counts[table] = Number((await rows(`SELECT count(*) AS n FROM ${table}`))[0]?.n);
  return counts;
}

/** CallSids are 34 characters, "CA" and 32 hex digits. */
const callSid = (n: number) => `CA${n.toString(16).padStart(32, '0')}`;
/** Fictional numbers only (555-01xx). */
const caller = (n: number) => `+1312555${String(100 + n).padStart(4, '0')}`;
const incomingCall = (n: number) => ({
  CallSid: callSid(n),
  AccountSid: `AC${'0'.repeat(32)}`,
  From: caller(n),
  To: '+13125550100',
  CallStatus: 'ringing',
  Direction: 'inbound',
});

/** The stream token is an HMAC over the CallSid and an expiry in seconds, so a retry a second later is issued a fresh one. */
const TOKEN = /(<Parameter name="token" value=")([^"]+)("\/>)/;
const withoutToken = (twiml: string) => twiml.replace(TOKEN, '$1…$3');

async function answeredCall(n: number): Promise<string> {
  const answer = await post('/twilio/voice', incomingCall(n));
  if (answer.status !== 200) throw new Error(`the voice webhook answered ${answer.status}: ${answer.body}`);
  const applicationId = (await rows('SELECT application_id FROM calls WHERE call_sid = ?', [callSid(n)]))[0]
    ?.application_id;
  if (typeof applicationId !== 'string') throw new Error(`call ${callSid(n)} has no draft`);
  return applicationId;
}

describe('voice webhooks delivered twice', () => {
  it('when the incoming-call webhook is delivered again, at once and a second later, then the TwiML is the same but for the stream token, with one call, one draft and one model session', async () => {
    const params = incomingCall(1);
    const before = await tableCounts();
    const sessionsBefore = rig.model.connections;

    // Over a local libSQL file no query yields to the event loop, so these two do not interleave inside the
    // handler; a retry joining an answer still in progress is tested on CallOrchestrator in voice-call.test.ts.
    const [first, concurrent] = await Promise.all([post('/twilio/voice', params), post('/twilio/voice', params)]);
    const callAfterFirst = await rows('SELECT * FROM calls WHERE call_sid = ?', [params.CallSid]);
    const countsAfterFirst = await tableCounts();
    // Twilio gives up after 15 s, so a real retry always gets a token with a later expiry (whole seconds).
    await pause(1_100);
    const late = await post('/twilio/voice', params);

    expect([first.status, concurrent.status, late.status]).toEqual([200, 200, 200]);
    const answers = [first, concurrent, late].map((r) => readTwiml(r.body));
    expect(answers[0]?.verbs).toEqual(['Say', 'Connect']);
    for (const answer of answers) expect(answer.connect?.stream.parameters.token).toMatch(/^\d+\.[\w-]{43}$/);
    expect(withoutToken(concurrent.body)).toBe(withoutToken(first.body));
    expect(withoutToken(late.body)).toBe(withoutToken(first.body));

    expect(countsAfterFirst).toEqual({ ...before, applications: before.applications! + 1, calls: before.calls! + 1 });
    expect(await tableCounts()).toEqual(countsAfterFirst);
    expect(callAfterFirst).toEqual([
      expect.objectContaining({ status: 'ringing', application_id: expect.any(String) as unknown }),
    ]);
    expect(await rows('SELECT * FROM calls WHERE call_sid = ?', [params.CallSid])).toEqual(callAfterFirst);
    // The model session is opened early while answering: once, not once per delivery.
    await pause(300);
    expect(rig.model.connections).toBe(sessionsBefore + 1);
  });

  it('when the final status callback is delivered twice, then both get the same answer and the status, duration and end time are those of the first', async () => {
    const params = {
      CallSid: callSid(2),
      AccountSid: `AC${'0'.repeat(32)}`,
      CallStatus: 'completed',
      CallDuration: '42',
    };
    await answeredCall(2);

    const first = await post('/twilio/voice/status', params);
    const callAfterFirst = await rows('SELECT * FROM calls WHERE call_sid = ?', [params.CallSid]);
    const countsAfterFirst = await tableCounts();
    await pause(BETWEEN_DELIVERIES_MS);
    const retry = await post('/twilio/voice/status', params);

    expect([first.status, retry.status]).toEqual([204, 204]);
    expect(retry.body).toBe(first.body);
    expect(callAfterFirst).toEqual([
      expect.objectContaining({ status: 'completed', duration_seconds: 42, ended_at: expect.any(String) as unknown }),
    ]);
    expect(await rows('SELECT * FROM calls WHERE call_sid = ?', [params.CallSid])).toEqual(callAfterFirst);
    expect(await tableCounts()).toEqual(countsAfterFirst);
  });

  it('when the after-stream action of an unfinished call is delivered twice, then both hand the call to the keypad IVR, and nothing is written', async () => {
    const applicationId = await answeredCall(3);
    const callBefore = await rows('SELECT * FROM calls WHERE call_sid = ?', [callSid(3)]);
    const countsBefore = await tableCounts();

    const first = await post('/twilio/voice/after-stream', { CallSid: callSid(3), AccountSid: `AC${'0'.repeat(32)}` });
    await pause(BETWEEN_DELIVERIES_MS);
    const retry = await post('/twilio/voice/after-stream', { CallSid: callSid(3), AccountSid: `AC${'0'.repeat(32)}` });

    expect([first.status, retry.status]).toEqual([200, 200]);
    expect(retry.body).toBe(first.body);
    expect(readTwiml(first.body)).toMatchObject({ verbs: ['Redirect'] });
    expect(first.body).toContain('/twilio/ivr</Redirect>');
    expect(await tableCounts()).toEqual(countsBefore);
    expect(await rows('SELECT status, reference FROM applications WHERE id = ?', [applicationId])).toEqual([
      { status: 'draft', reference: null },
    ]);
    expect(await rows('SELECT * FROM calls WHERE call_sid = ?', [callSid(3)])).toEqual(callBefore);
  });

  it('when the after-stream action of a submitted call is delivered twice, then both only hang up, and the application, its reference and its one SMS are unchanged', async () => {
    const applicationId = await answeredCall(4);
    const reference = referenceFor(9_001);
    await new ApplicationRepository(rig.service.db, cipher()).markSubmitted(applicationId, reference, {
      toPhone: caller(4),
      body: `Permit application ${reference} received.`,
    });
    const applicationBefore = await rows('SELECT * FROM applications WHERE id = ?', [applicationId]);
    const outboxBefore = await rows('SELECT * FROM sms_outbox WHERE application_id = ?', [applicationId]);
    const callBefore = await rows('SELECT * FROM calls WHERE call_sid = ?', [callSid(4)]);
    const countsBefore = await tableCounts();

    const first = await post('/twilio/voice/after-stream', { CallSid: callSid(4), AccountSid: `AC${'0'.repeat(32)}` });
    await pause(BETWEEN_DELIVERIES_MS);
    const retry = await post('/twilio/voice/after-stream', { CallSid: callSid(4), AccountSid: `AC${'0'.repeat(32)}` });

    expect([first.status, retry.status]).toEqual([200, 200]);
    expect(retry.body).toBe(first.body);
    expect(readTwiml(first.body)).toEqual({ verbs: ['Hangup'], say: undefined, connect: undefined });
    expect(await tableCounts()).toEqual(countsBefore);
    expect(applicationBefore).toEqual([expect.objectContaining({ status: 'submitted', reference })]);
    expect(await rows('SELECT * FROM applications WHERE id = ?', [applicationId])).toEqual(applicationBefore);
    expect(outboxBefore).toHaveLength(1);
    expect(await rows('SELECT * FROM sms_outbox WHERE application_id = ?', [applicationId])).toEqual(outboxBefore);
    expect(await rows('SELECT * FROM calls WHERE call_sid = ?', [callSid(4)])).toEqual(callBefore);
  });
});

describe('SMS webhooks delivered twice', () => {
  it('when a delivery status callback is delivered twice, then both get the same answer and the status is recorded once', async () => {
    const [applicationId = ''] = await queueSummaries(rig.service.db, 1, () => caller(5), 9_002);
    const outbox = new SmsOutboxRepository(rig.service.db, cipher());
    const outboxId = await outboxIdOf(rig.service.db, applicationId);
    await outbox.markSent(outboxId, messageSid(5));
    const params = { MessageSid: messageSid(5), AccountSid: `AC${'0'.repeat(32)}`, MessageStatus: 'delivered' };

    const first = await post('/twilio/sms/status', params);
    const rowAfterFirst = await rows('SELECT * FROM sms_outbox WHERE id = ?', [outboxId]);
    const countsAfterFirst = await tableCounts();
    await pause(BETWEEN_DELIVERIES_MS);
    const retry = await post('/twilio/sms/status', params);

    expect([first.status, retry.status]).toEqual([200, 200]);
    expect(retry.body).toBe(first.body);
    expect(rowAfterFirst).toEqual([
      expect.objectContaining({ status: 'sent', delivery_status: 'delivered', message_sid: messageSid(5) }),
    ]);
    expect(await rows('SELECT * FROM sms_outbox WHERE id = ?', [outboxId])).toEqual(rowAfterFirst);
    expect(await tableCounts()).toEqual(countsAfterFirst);
  });

  it('when STOP is delivered twice, then both get the same reply, one opt-out is kept, and no text is queued or sent', async () => {
    const params = {
      MessageSid: messageSid(6),
      AccountSid: `AC${'0'.repeat(32)}`,
      From: caller(6),
      To: '+13125550100',
      Body: 'STOP',
    };
    const standIn = rig.service.twilioStandIn;
    if (standIn === undefined) throw new Error('the service has no local Twilio stand-in to count texts with');
    const before = await tableCounts();
    const textsSentBefore = standIn.createRequests;

    const first = await post('/twilio/sms', params);
    await pause(BETWEEN_DELIVERIES_MS);
    const retry = await post('/twilio/sms', params);

    expect([first.status, retry.status]).toEqual([200, 200]);
    expect(retry.body).toBe(first.body);
    expect(first.body).toContain(`<Message>${SMS_REPLIES.en.stop}</Message>`);
    expect(await tableCounts()).toEqual({ ...before, sms_consent: before.sms_consent! + 1 });
    expect(await new SmsConsentRepository(rig.service.db, cipher()).isOptedOut(caller(6))).toBe(true);
    expect(
      await rows('SELECT opted_out, source FROM sms_consent WHERE phone_hash = ?', [cipher().lookupHash(caller(6))]),
    ).toEqual([{ opted_out: 1, source: 'STOP' }]);
    expect(standIn.createRequests).toBe(textsSentBefore);
  });
});

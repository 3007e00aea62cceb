import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runIvrCall } from '../../src/sim/ivr-caller.ts';
import { readTwiml } from '../../src/sim/twiml-reader.ts';
import { loadIvrLines } from '../../src/ivr/ivr-lines.ts';
import { postTwilioWebhook } from '../support/twilio-webhook.ts';
import { waitUntil } from '../support/wait.ts';
import { PUBLIC_BASE_URL, startVoiceRig, TWILIO_AUTH_TOKEN, type VoiceRig } from '../support/voice.ts';

/**
 * The limits on calls, at the voice webhook of the real service (signed
 * webhooks over real HTTP, real libSQL, the realtime simulator behind it):
 * calls per hour from one number, one live call at a time per number, and
 * the bulkhead on calls per instance. A call turned away is never a 429 and
 * never silence: Twilio gets TwiML in which the caller hears one sentence.
 */

const ACCOUNT_SID = `AC${'0'.repeat(32)}`;
/** CallSids are 34 characters, "CA" and 32 hex digits. */
const callSid = (n: number) => `CA${(0x1c000 + n).toString(16).padStart(32, '0')}`;
/** Fictional numbers only (555-01xx). */
const caller = (n: number) => `+1312555${String(160 + n).padStart(4, '0')}`;

function webhooks(rig: VoiceRig) {
  const target = { serviceUrl: rig.service.url, publicBaseUrl: PUBLIC_BASE_URL, authToken: TWILIO_AUTH_TOKEN };
  return {
    /** The voice webhook for a new call; the answer read as TwiML. */
    async incoming(sid: string, from: string) {
      const answer = await postTwilioWebhook(target, '/twilio/voice', {
        CallSid: sid,
        AccountSid: ACCOUNT_SID,
        From: from,
        To: '+13125550100',
        CallStatus: 'ringing',
        Direction: 'inbound',
      });
      expect(answer.status).toBe(200);
      return { ...readTwiml(answer.body), body: answer.body };
    },
    /** The number's call status callback with the call's final status. */
    async completed(sid: string) {
      const answer = await postTwilioWebhook(target, '/twilio/voice/status', {
        CallSid: sid,
        CallStatus: 'completed',
        CallDuration: '42',
      });
      expect(answer.status).toBe(204);
    },
  };
}

// Spoken without the scheme, its dots and slashes as words (docs/caller-experience.md).
const WEB_ADDRESS = 'permits dot example dot test slash apply';

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => ['127.0.0.1', 'localhost'].includes(host.replace(/:\d+$/, '')));
});
afterAll(() => {
  nock.enableNetConnect();
});

describe('limits per caller number', () => {
  let rig: VoiceRig;
  beforeAll(async () => {
    rig = await startVoiceRig('happy-path', {}, undefined, {
      CALLS_PER_CALLER_PER_HOUR: '3',
      CALLS_AT_ONCE_PER_CALLER: '1',
      CALLS_AT_ONCE_PER_INSTANCE: '0',
    });
  });
  afterAll(async () => {
    await rig.close();
  });

  it('when one number calls more often in an hour than the limit, then the next call hears one sentence with the web address and is hung up, with no call, draft or model session', async () => {
    const hooks = webhooks(rig);
    const sessionsBefore = rig.model.connections;
    for (let n = 1; n <= 3; n++) {
      const answer = await hooks.incoming(callSid(n), caller(1));
      expect(answer.verbs).toEqual(['Say', 'Connect']);
      await hooks.completed(callSid(n));
    }
    await waitUntil(() => rig.model.connections === sessionsBefore + 3, 'the calls taken have their model sessions');

    const over = await hooks.incoming(callSid(4), caller(1));

    expect(over.verbs).toEqual(['Say', 'Hangup']);
    expect(over.say).toBe(
      `This phone number has called us many times in the last hour, so we cannot take another call from it just now: please call again later, or apply online at ${WEB_ADDRESS}. Goodbye.`,
    );
    expect(over.body).not.toContain('<Stream');
    const recorded = await rig.service.db.execute({
      sql: 'SELECT 1 FROM calls WHERE call_sid = ?',
      args: [callSid(4)],
    });
    expect(recorded.rows).toEqual([]);
    expect(rig.model.connections).toBe(sessionsBefore + 3);
    // Another number is not affected.
    expect((await hooks.incoming(callSid(5), caller(2))).verbs).toEqual(['Say', 'Connect']);
    expect(rig.service.log.text).toContain('"refused":"caller-calls-per-hour"');
    expect(rig.service.log.text).not.toContain('5550161');
  });

  it('when a number that is on a streaming call calls again, then the second call is told so and hung up; once the first has ended, it is taken', async () => {
    const hooks = webhooks(rig);
    const first = new AbortController();
    const streaming = rig.call({ callSid: callSid(10), signal: first.signal }).catch(() => undefined);
    await waitUntil(() => rig.service.callOrchestrator.liveCalls === 1, 'the first call is streaming', 20_000);

    const second = await hooks.incoming(callSid(11), rig.scenario.callerNumber);

    expect(second.verbs).toEqual(['Say', 'Hangup']);
    expect(second.say).toBe(
      `This phone number is already on a call with us, and we take one call at a time from each number: please finish that call, or apply online at ${WEB_ADDRESS}. Goodbye.`,
    );
    first.abort(new Error('the caller hung up'));
    await streaming;
    await hooks.completed(callSid(10));
    await hooks.completed(callSid(11));
    expect((await hooks.incoming(callSid(12), rig.scenario.callerNumber)).verbs).toEqual(['Say', 'Connect']);
    await hooks.completed(callSid(12));
  }, 30_000);

  it('when Twilio delivers the webhook of a call already taken again, then it is answered as the first time, not as a second call', async () => {
    const hooks = webhooks(rig);
    const first = await hooks.incoming(callSid(20), caller(3));
    const retry = await hooks.incoming(callSid(20), caller(3));

    expect(first.verbs).toEqual(['Say', 'Connect']);
    expect(retry.verbs).toEqual(['Say', 'Connect']);
    await hooks.completed(callSid(20));
  });

  it('when callers withhold their number, then they do not share one bucket: several at once, more than the hourly limit, are all taken', async () => {
    const hooks = webhooks(rig);
    const withheld = ['anonymous', 'anonymous', 'Restricted', '+266696687', 'anonymous'];
    const answers = await Promise.all(withheld.map((from, i) => hooks.incoming(callSid(30 + i), from)));

    expect(answers.map((a) => a.verbs)).toEqual(withheld.map(() => ['Say', 'Connect']));
  });
});

describe('the bulkhead: calls on the AI path at once on one instance', () => {
  let rig: VoiceRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('when one more call arrives than the instance takes, at the same moment, then exactly one hears the sentence and goes to the keypad IVR, with no model session', async () => {
    const r = await startVoiceRig('happy-path', {}, undefined, { CALLS_AT_ONCE_PER_INSTANCE: '2' });
    rig = r;
    const hooks = webhooks(r);

    const answers = await Promise.all([1, 2, 3].map((n) => hooks.incoming(callSid(40 + n), caller(10 + n))));

    const connected = answers.filter((a) => a.connect !== undefined);
    const sent = answers.filter((a) => a.connect === undefined);
    expect(connected).toHaveLength(2);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.verbs).toEqual(['Say', 'Redirect']);
    expect(sent[0]?.say).toBe(
      'All our assistant lines are busy just now, so our keypad service will take your application.',
    );
    expect(sent[0]?.body).toContain(`<Redirect method="POST">${PUBLIC_BASE_URL}/twilio/ivr</Redirect>`);
    await waitUntil(() => r.model.connections === 2, 'the two calls taken have their model sessions');
    expect(r.service.log.text).toContain('"refused":"instance-full"');

    // What the caller turned away hears, followed through the redirect: the sentence, then the IVR's welcome.
    const overflow = await runIvrCall({
      serviceUrl: r.service.url,
      publicBaseUrl: PUBLIC_BASE_URL,
      authToken: TWILIO_AUTH_TOKEN,
      callSid: callSid(44),
      from: caller(14),
      entryPath: '/twilio/voice',
      inputs: [],
      statusCallbackPath: null,
    });
    expect(overflow.errors).toEqual([]);
    // The caller says nothing at the IVR's first question, the offer of Spanish, and hangs up there.
    expect(overflow.heard).toEqual([
      'All our assistant lines are busy just now, so our keypad service will take your application.',
      loadIvrLines('en').line('languageOffer'),
      loadIvrLines('es').line('languageOffer'),
    ]);
    expect(r.model.connections).toBe(2);
  });

  it('when the instance is full with a streaming call, then the next call goes to the IVR; when that call ends, the next is taken again', async () => {
    const r = await startVoiceRig('happy-path', {}, undefined, { CALLS_AT_ONCE_PER_INSTANCE: '1' });
    rig = r;
    const hooks = webhooks(r);
    const first = new AbortController();
    const streaming = r.call({ callSid: callSid(50), signal: first.signal }).catch(() => undefined);
    await waitUntil(() => r.service.callOrchestrator.liveCalls === 1, 'the first call is streaming', 20_000);

    expect((await hooks.incoming(callSid(51), caller(21))).verbs).toEqual(['Say', 'Redirect']);

    first.abort(new Error('the caller hung up'));
    await streaming;
    await waitUntil(() => r.service.callOrchestrator.liveCalls === 0, 'the first call is released');
    expect((await hooks.incoming(callSid(52), caller(22))).verbs).toEqual(['Say', 'Connect']);
  }, 30_000);
});

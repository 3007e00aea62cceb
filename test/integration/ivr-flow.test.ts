import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDateForPeople, todayIn } from '../../src/permits/field-inputs.ts';
import { PERMIT_TYPE_LABELS, PERMIT_TYPES } from '../../src/permits/permit-types.ts';
import { runIvrCall, type IvrCallerInput, type IvrCallResult } from '../../src/sim/ivr-caller.ts';
import { ApplicationRepository, type StoredApplication } from '../../src/store/application-repository.ts';
import { CallRepository } from '../../src/store/call-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { loadIvrCatalogue } from '../../src/ivr/ivr-lines.ts';
import { ApplicationService } from '../../src/intake/application-service.ts';
import { PermitRules } from '../../src/permits/permit-rules.ts';
import { completeApplication } from '../support/applications.ts';
import { IN_ENGLISH, languageOffer } from '../support/ivr.ts';
import { testDataKeys } from '../support/keys.ts';
import { startTestService, testConfig, type TestService } from '../support/service.ts';
import { postTwilioWebhook } from '../support/twilio-webhook.ts';
import { PUBLIC_BASE_URL, TWILIO_AUTH_TOKEN } from '../support/voice.ts';

/**
 * The keypad and speech IVR over real HTTP: the whole service on a free
 * port over a libSQL file, and the scripted IVR caller playing Twilio
 * (signed webhooks, <Gather> answered by keys or speech, silence carrying
 * on to the <Redirect>). The web link goes through SmsDelivery.queueWebLink
 * as wired in production (into the outbox; the worker is off here); what the
 * caller hears when it fails is in ivr-web-link.test.ts.
 */

const ENV = { PUBLIC_BASE_URL, TWILIO_AUTH_TOKEN };
const config = testConfig(ENV);
const catalogue = loadIvrCatalogue();
const lines = catalogue.en;
const OFFER = languageOffer(catalogue);
let service: TestService;

beforeAll(async () => {
  // Only loopback: the service and the stand-ins it starts.
  nock.disableNetConnect();
  nock.enableNetConnect((host) => ['127.0.0.1', 'localhost'].includes(host.replace(/:\d+$/, '')));
  service = await startTestService(ENV);
});
afterAll(async () => {
  await service.close();
  nock.enableNetConnect();
});

/** CallSids are "CA" and 32 hex digits; each test uses its own. */
const callSid = (n: number) => `CA${(0x1f000 + n).toString(16).padStart(32, '0')}`;
/** Fictional numbers only (+1 312 555 01xx). */
const caller = (n: number) => `+1312555${String(100 + n).padStart(4, '0')}`;
const APPLY_ADDRESS = 'permits dot example dot test slash apply';

/** A call in English: the caller lets the welcome's offer of Spanish go by, then answers `inputs`. */
function call(n: number, inputs: readonly IvrCallerInput[], from = caller(n)): Promise<IvrCallResult> {
  return runIvrCall({
    serviceUrl: service.url,
    publicBaseUrl: PUBLIC_BASE_URL,
    authToken: TWILIO_AUTH_TOKEN,
    callSid: callSid(n),
    from,
    inputs: [IN_ENGLISH, ...inputs],
  });
}

const post = (path: string, params: Record<string, string>, signature: 'valid' | 'forged' | 'none' = 'valid') =>
  postTwilioWebhook(
    { serviceUrl: service.url, publicBaseUrl: PUBLIC_BASE_URL, authToken: TWILIO_AUTH_TOKEN },
    path,
    params,
    signature,
  );

const cipher = () => new FieldCipher(testDataKeys());

async function rows(sql: string, args: (string | number)[] = []) {
  return (await service.db.execute({ sql, args })).rows.map((row) => ({ ...row }));
}

async function draftOf(sid: string): Promise<StoredApplication> {
  const record = await new CallRepository(service.db, cipher()).find(sid);
  const application =
    record?.applicationId === undefined
      ? undefined
      : await new ApplicationRepository(service.db, cipher()).find(record.applicationId);
  if (application === undefined) throw new Error(`no application attached to ${sid}`);
  return application;
}

/** A day `days` from the department's today: its ISO date and its keys (MMDD). */
function dayAhead(days: number): { iso: string; keys: string } {
  const [year = 0, month = 1, day = 1] = todayIn(config.departmentTimeZone, new Date()).split('-').map(Number);
  const iso = new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
  return { iso, keys: iso.slice(5, 7) + iso.slice(8, 10) };
}

const press = (keys: string): IvrCallerInput => ({ press: keys });
const say = (text: string, confidence = 0.92): IvrCallerInput => ({ say: text, confidence });
const silence: IvrCallerInput = { silence: true };

const permitMenu = [
  lines.line('permitTypeQuestion'),
  ...PERMIT_TYPES.map((type, i) =>
    lines.line('permitTypeOption', { label: PERMIT_TYPE_LABELS[type].toLowerCase(), digit: String(i + 1) }),
  ),
];

function expectCleanCall(result: IvrCallResult, endedBy: IvrCallResult['endedBy'] = 'hangup'): void {
  expect(result.errors).toEqual([]);
  expect(result.endedBy).toBe(endedBy);
  expect(result.requests.every((r) => r.status === 200)).toBe(true);
  expect(result.statusCallbackStatus).toBe(204);
}

describe('the keypad and speech IVR', () => {
  it('when a caller gives a temporary food event by keypad and speech, then every answer is in the draft, the web link is asked for and the call ends politely', async () => {
    const [start, end] = [dayAhead(10), dayAhead(12)];
    const result = await call(1, [
      press('1'),
      press('1'),
      say("Rosa's Tacos."),
      press('1'),
      say('100 Main Street, Springfield.'),
      press('1'),
      press(start.keys),
      press(end.keys),
      press('1'),
    ]);

    expectCleanCall(result);
    expect(result.inputsUsed).toBe(10);
    expect(result.heard.slice(0, OFFER.length + 1 + permitMenu.length)).toEqual([
      ...OFFER,
      lines.line('welcome'),
      ...permitMenu,
    ]);
    expect(result.heard).toContain(lines.line('callbackQuestion', { number: '3 1 2, 5 5 5, 0 1 0 1' }));
    expect(result.heard).toContain("I heard: Rosa's Tacos.");
    expect(result.heard).toContain(lines.line('addressQuestion', { field: 'event address' }));
    expect(result.heard).toContain('I heard: 100 Main Street, Springfield.');
    expect(result.heard).toContain(`The first day of the event is ${formatDateForPeople(start.iso)}.`);
    expect(result.heard).toContain(`The last day of the event is ${formatDateForPeople(end.iso)}.`);
    expect(result.heard).toContain(lines.line('webLinkOffer'));
    expect(result.heard.at(-1)).toBe(lines.line('webLinkSent'));
    const draft = await draftOf(result.callSid);
    expect(draft).toMatchObject({ channel: 'ivr', status: 'draft' });
    expect(draft.fields).toEqual({
      permitType: 'temporary_food_event',
      contactPhone: caller(1),
      businessName: "Rosa's Tacos",
      eventAddress: '100 Main Street, Springfield',
      eventStartDate: start.iso,
      eventEndDate: end.iso,
    });
    expect(await rows('SELECT prompt_version, model, status FROM calls WHERE call_sid = ?', [result.callSid])).toEqual([
      { prompt_version: 'ivr-lines.v1', model: 'ivr', status: 'completed' },
    ]);

    // The link is queued once, to the number the caller called from; Twilio retrying the "press 1" changes nothing.
    const outbox = () => new ApplicationRepository(service.db, cipher()).outboxFor(draft.id);
    expect(await outbox()).toEqual([
      expect.objectContaining({ kind: 'web-link', toPhone: caller(1), status: 'pending' }),
    ]);
    const pressedOne = result.requests.at(-1);
    if (pressedOne === undefined) throw new Error('no request recorded');
    const retried = await post(new URL(pressedOne.url).pathname, { ...pressedOne.params });
    expect(retried.body).toBe(pressedOne.body);
    expect(await outbox()).toHaveLength(1);

    // Personal data stays out of the log: the caller's number, the name and the address were all spoken or pressed.
    for (const personal of ['Rosa', 'Main Street', '5550101', '555-0101'])
      expect(service.log.text).not.toContain(personal);
  });

  it('when Twilio delivers a step twice, or twice at once, then both get the same TwiML and the draft is written once', async () => {
    const sid = callSid(2);
    const base = {
      CallSid: sid,
      AccountSid: `AC${'0'.repeat(32)}`,
      From: caller(2),
      To: '+13125550100',
      CallStatus: 'in-progress',
    };
    const entry = [await post('/twilio/ivr', base), await post('/twilio/ivr', base)];
    expect(entry.map((e) => e.status)).toEqual([200, 200]);
    expect(entry[1]?.body).toBe(entry[0]?.body);
    expect(await rows('SELECT count(*) AS n FROM calls WHERE call_sid = ?', [sid])).toEqual([{ n: 1 }]);
    const applicationId = (await draftOf(sid)).id;
    const fieldRows = () =>
      rows('SELECT field, value, captured_at FROM application_fields WHERE application_id = ? ORDER BY field', [
        applicationId,
      ]);
    const applicationCount = async () => (await rows('SELECT count(*) AS n FROM applications'))[0]?.n;
    const applicationsBefore = await applicationCount();

    const deliveries: [string, Record<string, string>][] = [
      ['/twilio/ivr/step/permit-type', { ...base, Digits: '1' }],
      ['/twilio/ivr/step/callback', { ...base, Digits: '1' }],
      ['/twilio/ivr/step/business-name', { ...base, SpeechResult: 'Harbor Grill', Confidence: '0.87' }],
      ['/twilio/ivr/step/business-name-check', { ...base, Digits: '2' }],
      ['/twilio/ivr/step/business-name?round=2', { ...base, SpeechResult: 'Harbour Grill', Confidence: '0.9' }],
    ];
    for (const [path, params] of deliveries) {
      const first = await post(path, params);
      const afterFirst = await fieldRows();
      await new Promise((resolve) => setTimeout(resolve, 30)); // a rewrite would show in the millisecond capture time
      const retried = await post(path, params);
      const together = await Promise.all([post(path, params), post(path, params)]);
      expect(first.status).toBe(200);
      expect(first.body).toContain('<Gather');
      for (const again of [retried, ...together]) expect(again.body, path).toBe(first.body);
      expect(await fieldRows(), path).toEqual(afterFirst);
    }
    expect(await applicationCount()).toBe(applicationsBefore);
    expect((await draftOf(sid)).fields).toEqual({
      permitType: 'temporary_food_event',
      contactPhone: caller(2),
      businessName: 'Harbour Grill',
    });
  });

  it('when the caller gives no answer twice, then the web link is offered; no answer to that either, and the call ends with how to finish later', async () => {
    const declined = await call(3, [silence, silence, press('2')]);
    expectCleanCall(declined);
    const notHeard = lines.line('notHeard');
    expect(declined.heard).toEqual([
      ...OFFER,
      lines.line('welcome'),
      ...permitMenu,
      notHeard,
      ...permitMenu,
      notHeard,
      lines.line('webLinkOffer'),
      lines.line('callBack', { applyAddress: APPLY_ADDRESS, resumeWindow: 'seven days' }),
    ]);
    expect((await draftOf(declined.callSid)).fields).toEqual({});

    const silent = await call(4, [silence, silence, silence, silence]);
    expectCleanCall(silent);
    const offer = lines.line('webLinkOffer');
    expect(silent.heard).toEqual([
      ...OFFER,
      lines.line('welcome'),
      ...permitMenu,
      notHeard,
      ...permitMenu,
      notHeard,
      offer,
      notHeard,
      offer,
      notHeard,
      lines.line('callBack', { applyAddress: APPLY_ADDRESS, resumeWindow: 'seven days' }),
    ]);
  });

  it('when the business name is heard with low confidence, then it is not saved and the caller is asked again', async () => {
    const result = await call(5, [press('1'), press('1'), say('Rosa taco', 0.31), say("Rosa's Tacos", 0.88)]);
    expectCleanCall(result, 'caller');
    const question = lines.line('businessNameQuestion');
    const asked = result.heard.indexOf(question);
    expect(result.heard.slice(asked, asked + 4)).toEqual([
      question,
      lines.line('notClear'),
      question,
      "I heard: Rosa's Tacos.",
    ]);
    expect(result.heard).not.toContain('I heard: Rosa taco.');
    expect((await draftOf(result.callSid)).fields.businessName).toBe("Rosa's Tacos");
  });

  it('when a date is in the past, not a date, or ends before the start, then the rule is told back in plain words and the date asked again', async () => {
    const [start, tooEarlyEnd, end] = [dayAhead(20), dayAhead(15), dayAhead(21)];
    const result = await call(6, [
      press('1'),
      press('2'),
      say('Harbor Grill'),
      press('1'),
      say('9 Pier Road, Springfield'),
      press('1'),
      press('01012020'),
      press(start.keys),
      press('1340'),
      press(tooEarlyEnd.keys),
    ]);
    expectCleanCall(result, 'caller');
    const startQuestion = lines.line('startDateQuestion');
    const endQuestion = lines.line('endDateQuestion');
    expect(result.heard.slice(result.heard.indexOf(startQuestion))).toEqual([
      startQuestion,
      'The first day of the event, January 1, 2020, is in the past; please give a date from today on.',
      startQuestion,
      `The first day of the event is ${formatDateForPeople(start.iso)}.`,
      endQuestion,
      lines.line('notADate'),
      endQuestion,
      `The last day of the event, ${formatDateForPeople(tooEarlyEnd.iso)}, is before the first day, ${formatDateForPeople(start.iso)}; please give the day the event ends.`,
      lines.line('webLinkOffer'),
    ]);
    const draft = await draftOf(result.callSid);
    expect(draft.fields.eventStartDate).toBe(start.iso);
    expect(draft.fields.eventEndDate).toBeUndefined();
    expect(draft.fields.contactPhone).toBeUndefined();

    // Asked again, a valid end date is taken, here read out digit by digit.
    const retry = await call(7, [
      press('1'),
      press('1'),
      say('Harbor Grill'),
      press('1'),
      say('9 Pier Road, Springfield'),
      press('1'),
      press(start.keys),
      press(tooEarlyEnd.keys),
      say(`${end.keys.split('').join(' ')}.`),
      press('2'),
    ]);
    expectCleanCall(retry);
    expect(retry.heard).toContain(`The last day of the event is ${formatDateForPeople(end.iso)}.`);
    expect((await draftOf(retry.callSid)).fields).toMatchObject({ eventStartDate: start.iso, eventEndDate: end.iso });
  });

  it('when the caller says the name was heard wrong twice, then it is cleared for the web form and the call goes on to the address the permit type needs', async () => {
    const result = await call(8, [
      press('2'),
      press('1'),
      say('Taco Truck'),
      press('2'),
      say('Taco Truck Two'),
      press('2'),
      say('7 Depot Road, Springfield'),
      press('1'),
      press('2'),
    ]);
    expectCleanCall(result);
    expect(result.heard).toContain(lines.line('confirmOrRepeat'));
    expect(result.heard).toContain(lines.line('businessNameAgain'));
    expect(result.heard).toContain(lines.line('confirmOrLeave'));
    expect(result.heard).toContain(lines.line('leftForWeb'));
    expect(result.heard).toContain(lines.line('addressQuestion', { field: 'commissary address' }));
    expect((await draftOf(result.callSid)).fields).toEqual({
      permitType: 'mobile_food_unit',
      contactPhone: caller(8),
      commissaryAddress: '7 Depot Road, Springfield',
    });
  });

  it('when an IVR webhook is forged or unsigned, then it is refused with 403 and nothing is recorded', async () => {
    const sid = callSid(9);
    const params = { CallSid: sid, From: caller(9), To: '+13125550100', CallStatus: 'in-progress' };
    const applicationsBefore = await rows('SELECT count(*) AS n FROM applications');
    const answers = [
      await post('/twilio/ivr', params, 'forged'),
      await post('/twilio/ivr', params, 'none'),
      await post('/twilio/ivr/step/permit-type', { ...params, Digits: '1' }, 'forged'),
      await post('/twilio/ivr/step/web-link', { ...params, Digits: '1' }, 'none'),
    ];
    expect(answers.map((a) => a.status)).toEqual([403, 403, 403, 403]);
    expect(await rows('SELECT call_sid FROM calls WHERE call_sid = ?', [sid])).toEqual([]);
    expect(await rows('SELECT count(*) AS n FROM applications')).toEqual(applicationsBefore);
  });

  it('when a call drops mid-IVR, then its answers are kept, and calling back resumes the same draft at the first open question', async () => {
    const from = caller(10);
    const dropped = await call(10, [press('3'), press('1'), say('Hilltop Jams')], from);
    expectCleanCall(dropped, 'caller');
    const first = await draftOf(dropped.callSid);
    // The name was saved as heard, before the caller could confirm it.
    expect(first.fields).toEqual({
      permitType: 'cottage_food_operation',
      contactPhone: from,
      businessName: 'Hilltop Jams',
    });

    const back = await call(11, [say('12 Orchard Lane, Springfield'), press('1'), press('2')], from);
    expectCleanCall(back);
    expect(back.heard.slice(0, OFFER.length + 3)).toEqual([
      ...OFFER,
      lines.line('welcome'),
      lines.line('resumed'),
      lines.line('addressQuestion', { field: 'home address' }),
    ]);
    const resumed = await draftOf(back.callSid);
    expect(resumed.id).toBe(first.id);
    expect(resumed.fields).toEqual({ ...first.fields, homeAddress: '12 Orchard Lane, Springfield' });
  });

  it('when the model was lost on a call whose draft is already complete, then the IVR reads it back and submits it on 1, and a retried submit gives the same reference', async () => {
    // The voice path recorded the call and its draft; the model then went away and the call was sent to the IVR.
    const sid = callSid(12);
    const from = caller(12);
    const rules = new PermitRules({
      healthDistricts: config.healthDistricts,
      today: () => todayIn(config.departmentTimeZone, new Date()),
    });
    const applications = new ApplicationService({
      repository: new ApplicationRepository(service.db, cipher()),
      rules,
      timeZone: config.departmentTimeZone,
    });
    const calls = new CallRepository(service.db, cipher());
    await calls.recordIncoming(sid, from, 'in-progress');
    const applicationId = await applications.startDraft('voice');
    await calls.attachApplication(sid, applicationId, 'agent-instructions.v1', 'gpt-realtime');
    const saved = await applications.updateDraft(applicationId, {
      ...completeApplication('cottage_food_operation'),
      contactPhone: from,
    });
    expect(saved.missing).toEqual([]);

    const result = await call(12, [press('1')], from);
    expectCleanCall(result);
    expect(result.heard).toContain(lines.line('reviewIntro'));
    expect(result.heard).toContain('Business name (as on the booth, truck or sign): Taco Loco.');
    expect(result.heard).toContain(lines.line('reviewQuestion'));
    const [application] = await rows('SELECT status, reference, channel FROM applications WHERE id = ?', [
      applicationId,
    ]);
    expect(application).toMatchObject({ status: 'submitted', channel: 'voice' });
    const reference = application?.reference;
    if (typeof reference !== 'string') throw new Error('no reference stored');
    const spoken = `${reference.slice(0, 1)} ${reference.slice(1, 2)}, ${reference.slice(3, 7).split('').join(' ')}, ${reference.slice(8, 11).split('').join(' ')}, ${reference.slice(11).split('').join(' ')}`;
    expect(result.heard.at(-1)).toBe(lines.line('submitted', { reference: spoken }));
    expect(await rows('SELECT kind, status FROM sms_outbox WHERE application_id = ?', [applicationId])).toEqual([
      { kind: 'summary', status: 'pending' },
    ]);

    const submitStep = result.requests.at(-1);
    if (submitStep === undefined) throw new Error('no request recorded');
    const again = await postTwilioWebhook(
      { serviceUrl: service.url, publicBaseUrl: PUBLIC_BASE_URL, authToken: TWILIO_AUTH_TOKEN },
      new URL(submitStep.url).pathname,
      { ...submitStep.params },
    );
    expect(again.body).toBe(submitStep.body);
    expect(await rows('SELECT count(*) AS n FROM sms_outbox WHERE application_id = ?', [applicationId])).toEqual([
      { n: 1 },
    ]);
  });

  it('when any of these calls is logged, then no number, name or address the callers gave is in the log', () => {
    expect(service.log.text).toContain('IVR step answered');
    for (const personal of [
      'Rosa',
      'Taco',
      'Harbo',
      'Hilltop',
      'Orchard',
      'Depot',
      'Pier Road',
      'Main Street',
      '555010',
      '555011',
      '555-01',
    ]) {
      expect(service.log.text, personal).not.toContain(personal);
    }
  });
});

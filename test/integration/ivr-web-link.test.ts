import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@libsql/client';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationService } from '../../src/intake/application-service.ts';
import { ResumableDrafts } from '../../src/intake/resumable-drafts.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { todayIn } from '../../src/permits/field-inputs.ts';
import { StaffLine } from '../../src/permits/office-hours.ts';
import { PermitRules } from '../../src/permits/permit-rules.ts';
import { runIvrCall, type IvrCallerInput } from '../../src/sim/ivr-caller.ts';
import { ApplicationRepository } from '../../src/store/application-repository.ts';
import { CallBackRequests } from '../../src/store/call-back-requests.ts';
import { CallRepository } from '../../src/store/call-repository.ts';
import { openDatabase } from '../../src/store/database.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import type { QueueOutcome } from '../../src/store/sms-outbox-repository.ts';
import { migrate } from '../../src/store/migrations.ts';
import { loadIvrLines } from '../../src/ivr/ivr-lines.ts';
import { ivrRoutes } from '../../src/ivr/ivr-routes.ts';
import { createApp } from '../../src/web/app.ts';
import { csrfSecretsFrom } from '../../src/web/csrf.ts';
import { IN_ENGLISH, TO_THE_WEB_LINK_OFFER } from '../support/ivr.ts';
import { testDataKeys } from '../support/keys.ts';
import { CapturedLog, tempDatabaseFile } from '../support/service.ts';
import { postTwilioWebhook } from '../support/twilio-webhook.ts';

/**
 * The IVR's last step against an SMS side that fails or is slow, and the
 * IVR when its own storage fails: the real app (createApp) over real HTTP
 * and a real libSQL file, with only the web-link seam replaced, so the
 * failures can be made to happen. Whatever fails, Twilio gets 200 and TwiML
 * the caller can act on — never a 500, which a caller hears as "an
 * application error has occurred".
 */

const PUBLIC_BASE_URL = 'https://permits.example.test';
const AUTH_TOKEN = 'test-twilio-auth-token';
const TIME_ZONE = 'America/Los_Angeles';
const APPLY_ADDRESS = 'permits dot example dot test slash apply';
const lines = loadIvrLines();

interface Rig {
  readonly url: string;
  readonly log: CapturedLog;
  readonly sent: { applicationId: string; toPhone: string }[];
  /** What the next sendWebLink does. */
  sendWebLink: () => Promise<QueueOutcome>;
  close(): Promise<void>;
}

async function startRig(db: Client, callsDb: Client = db): Promise<Rig> {
  const keys = testDataKeys();
  const cipher = new FieldCipher(keys);
  const rules = new PermitRules({ healthDistricts: ['Central'], today: () => todayIn(TIME_ZONE, new Date()) });
  const applicationRepository = new ApplicationRepository(db, cipher);
  const applications = new ApplicationService({ repository: applicationRepository, rules, timeZone: TIME_ZONE });
  const calls = new CallRepository(callsDb, cipher);
  const log = new CapturedLog();
  const publicBaseUrl = new URL(PUBLIC_BASE_URL);
  const rig: Rig = {
    url: '',
    log,
    sent: [],
    sendWebLink: () => Promise.resolve('queued'),
    close: () => Promise.resolve(),
  };
  const app = createApp({
    logger: createLogger('info', log),
    applications,
    rules,
    csrfSecrets: csrfSecretsFrom(keys),
    publicBaseUrl,
    health: { started: true, draining: false },
    databaseReady: () => Promise.resolve({ ok: true }),
    twilioWebhooks: ivrRoutes({
      authToken: AUTH_TOKEN,
      publicBaseUrl,
      calls,
      resumableDrafts: new ResumableDrafts({ applications: applicationRepository, calls }),
      applications,
      rules,
      sendWebLink: (applicationId, toPhone) => {
        rig.sent.push({ applicationId, toPhone });
        return rig.sendWebLink();
      },
      // No staff line: keypad 0 is not what these tests are about (ivr-person-and-spanish.test.ts).
      staffLine: new StaffLine(undefined, { spans: [], timeZone: TIME_ZONE }),
      callBacks: new CallBackRequests(callsDb, cipher),
    }),
  });
  const server: Server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return Object.assign(rig, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  });
}

const database = tempDatabaseFile();
let db: Client;
let rig: Rig;

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => ['127.0.0.1', 'localhost'].includes(host.replace(/:\d+$/, '')));
  db = await openDatabase({ url: database.url });
  await migrate(db);
  rig = await startRig(db);
});
afterAll(async () => {
  await rig.close();
  db.close();
  database.cleanup();
  nock.enableNetConnect();
});

const callSid = (n: number) => `CA${(0x2e000 + n).toString(16).padStart(32, '0')}`;
const caller = (n: number) => `+1312555${String(130 + n).padStart(4, '0')}`;
const toTheOffer = TO_THE_WEB_LINK_OFFER;

const call = (target: Rig, n: number, inputs: readonly IvrCallerInput[], from = caller(n)) =>
  runIvrCall({
    serviceUrl: target.url,
    publicBaseUrl: PUBLIC_BASE_URL,
    authToken: AUTH_TOKEN,
    callSid: callSid(n),
    from,
    inputs,
    statusCallbackPath: null,
  });

async function applicationOf(sid: string): Promise<string> {
  const record = await new CallRepository(db, new FieldCipher(testDataKeys())).find(sid);
  if (record?.applicationId === undefined) throw new Error(`no application for ${sid}`);
  return record.applicationId;
}

describe('the IVR web link, when the SMS side or the database fails', () => {
  it('when queueing the text fails, then the caller hears an apology with the way to finish, Twilio gets 200, and the failure is logged without the number', async () => {
    rig.sendWebLink = () => Promise.reject(new Error('the outbox is unavailable'));
    const result = await call(rig, 1, [...toTheOffer, { press: '1' }]);

    expect(result.errors).toEqual([]);
    expect(result.endedBy).toBe('hangup');
    expect(result.requests.map((r) => r.status).every((status) => status === 200)).toBe(true);
    expect(result.heard.slice(-2)).toEqual([
      lines.line('webLinkOffer'),
      lines.line('webLinkFailed', { applyAddress: APPLY_ADDRESS, resumeWindow: 'seven days' }),
    ]);
    expect(rig.sent).toEqual([{ applicationId: await applicationOf(result.callSid), toPhone: caller(1) }]);
    expect(rig.log.text).toContain('IVR could not queue the web link text');
    expect(rig.log.text).toContain('the outbox is unavailable');
    for (const personal of ['5550131', 'Hilltop', 'Orchard']) expect(rig.log.text).not.toContain(personal);
  });

  it('when Twilio retries the "press 1" while the text is still being queued, then the text is asked for once and both get the same TwiML', async () => {
    rig.sent.length = 0;
    const result = await call(rig, 2, toTheOffer);
    expect(result.heard.at(-1)).toBe(lines.line('webLinkOffer'));
    const queueing: (() => void)[] = [];
    rig.sendWebLink = () =>
      new Promise<QueueOutcome>((resolve) => {
        queueing.push(() => {
          resolve('queued');
        });
      });
    const params = {
      CallSid: result.callSid,
      AccountSid: `AC${'0'.repeat(32)}`,
      From: caller(2),
      To: '+13125550100',
      CallStatus: 'in-progress',
      Digits: '1',
    };
    const target = { serviceUrl: rig.url, publicBaseUrl: PUBLIC_BASE_URL, authToken: AUTH_TOKEN };
    const first = postTwilioWebhook(target, '/twilio/ivr/step/web-link', params);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const retry = postTwilioWebhook(target, '/twilio/ivr/step/web-link', params);
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const finish of queueing) finish();
    const [a, b] = await Promise.all([first, retry]);

    expect(rig.sent).toHaveLength(1);
    expect(a.status).toBe(200);
    expect(b.body).toBe(a.body);
    expect(a.body).toContain(lines.line('webLinkSent'));
    expect(a.body).toContain('<Hangup/>');
  });

  it('when the caller ID is withheld, then the callback number is not asked, no text is offered, and the web address is read out instead', async () => {
    rig.sent.length = 0;
    rig.sendWebLink = () => Promise.resolve('queued');
    const result = await call(
      rig,
      3,
      [
        IN_ENGLISH,
        { press: '4' },
        { say: 'Harbor Grill', confidence: 0.9 },
        { press: '1' },
        { say: '400 Market Street, Springfield', confidence: 0.9 },
        { press: '1' },
      ],
      'anonymous',
    );

    expect(result.errors).toEqual([]);
    expect(result.endedBy).toBe('hangup');
    expect(result.heard.some((line) => line.startsWith('Can the health department reach you'))).toBe(false);
    expect(result.heard).toContain(lines.line('addressQuestion', { field: 'establishment address' }));
    expect(result.heard.at(-1)).toBe(
      lines.line('applyOnline', { applyAddress: APPLY_ADDRESS, resumeWindow: 'seven days' }),
    );
    expect(rig.sent).toEqual([]);

    // Another withheld caller is not somebody calling back: they start afresh, and never hear the first one's answers.
    const stranger = await call(rig, 6, [], 'anonymous');
    expect(stranger.heard).not.toContain(lines.line('resumed'));
    expect(await applicationOf(stranger.callSid)).not.toBe(await applicationOf(result.callSid));
  });

  it('when the IVR cannot read its database, or a step comes for a call it never started, then Twilio still gets 200 and the caller an apology', async () => {
    const unknown = await postTwilioWebhook(
      { serviceUrl: rig.url, publicBaseUrl: PUBLIC_BASE_URL, authToken: AUTH_TOKEN },
      '/twilio/ivr/step/callback',
      { CallSid: callSid(4), From: caller(4), Digits: '1' },
    );
    expect(unknown.status).toBe(200);
    expect(unknown.body).toContain(lines.line('trouble', { applyAddress: APPLY_ADDRESS }));
    expect(unknown.body).toContain('<Hangup/>');

    const closed = await openDatabase({ url: ':memory:' });
    closed.close();
    const broken = await startRig(db, closed);
    try {
      const result = await call(broken, 5, [{ press: '1' }]);
      expect(result.requests.map((r) => r.status)).toEqual([200]);
      expect(result.heard).toEqual([lines.line('trouble', { applyAddress: APPLY_ADDRESS })]);
      expect(result.endedBy).toBe('hangup');
      expect(broken.log.text).toContain('IVR step failed');
    } finally {
      await broken.close();
    }
  });
});

import type { Client } from '@libsql/client';
import nock from 'nock';
import twilio from 'twilio';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SmsDelivery } from '../../src/sms/sms-delivery.ts';
import { startTwilioStandIn, type TwilioStandIn } from '../../src/sim/twilio-stand-in.ts';
import { OPTED_OUT_REASON } from '../../src/sms/outbox-worker.ts';
import { ReviewLinks } from '../../src/sms/review-link.ts';
import { asTwilioHttpClient, StandInHttpClient } from '../../src/sms/stand-in-http-client.ts';
import { fillReviewLink } from '../../src/sms/summary-text.ts';
import { ResumeLinks } from '../../src/web/resume-link.ts';
import { ApplicationRepository } from '../../src/store/application-repository.ts';
import { openDatabase } from '../../src/store/database.ts';
import { migrate } from '../../src/store/migrations.ts';
import { SmsOutboxRepository } from '../../src/store/sms-outbox-repository.ts';
import { testDataKeys, TEST_KEY_A } from '../support/keys.ts';
import { databaseBound, tempDatabaseFile } from '../support/service.ts';
import {
  cipher,
  FAST_SMS_SETTINGS,
  messageSid,
  MESSAGES_PATH,
  outboxIdOf,
  queueSummaries,
  smsDeliveryForNock,
  smsDeliveryForStandIn,
  STAND_IN_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  TEST_FROM_NUMBER,
  twilioMessage,
} from '../support/sms.ts';
import { eventually, pause, waitUntil } from '../support/wait.ts';

const TWILIO_API = 'https://api.twilio.com';
const EMPTY_PAGE = {
  messages: [],
  end: 0,
  first_page_uri: MESSAGES_PATH,
  next_page_uri: null,
  page: 0,
  page_size: 20,
  previous_page_uri: null,
  start: 0,
  uri: MESSAGES_PATH,
};

interface FormBody {
  readonly To: string;
  readonly Body: string;
  readonly StatusCallback?: string;
}

// nock 15 hands a reply function the request (a fetch Request); a function of two parameters is taken as callback style.
async function formOf(req: Request): Promise<FormBody> {
  return Object.fromEntries(new URLSearchParams(await req.text())) as unknown as FormBody;
}

describe('the SMS outbox worker against Twilio (nock)', () => {
  let database: ReturnType<typeof tempDatabaseFile>;
  let db: Client;
  let delivery: SmsDelivery | undefined;
  const unmatched: string[] = [];
  const onNoMatch = (req: { method?: string; url?: string; href?: string; path?: string }) => {
    // Under npm run test:libsql the database is on 127.0.0.1 too; only requests meant for Twilio count here.
    if (/^https?:\/\/127\.0\.0\.1[:/]/.test(req.url ?? req.href ?? '')) return;
    unmatched.push(`${req.method ?? ''} ${req.url ?? req.href ?? req.path ?? ''}`);
  };

  beforeEach(async () => {
    database = tempDatabaseFile();
    db = await openDatabase({ url: database.url, authToken: undefined });
    await migrate(db);
    nock.disableNetConnect();
    // The libSQL stand-in (npm run test:libsql) and the Twilio stand-in are local; Twilio itself stays cut off.
    nock.enableNetConnect((host) => host.replace(/:\d+$/, '') === '127.0.0.1');
    nock.emitter.on('no match', onNoMatch);
    unmatched.length = 0;
  });

  afterEach(async () => {
    await delivery?.close();
    delivery = undefined;
    nock.emitter.off('no match', onNoMatch);
    nock.cleanAll();
    nock.enableNetConnect();
    db.close();
    database.cleanup();
  });

  const outbox = () => new SmsOutboxRepository(db, cipher());
  const rowOf = async (applicationId: string) => {
    const entry = await outbox().find(await outboxIdOf(db, applicationId));
    if (entry === undefined) throw new Error('no outbox row');
    return entry;
  };

  it('when Twilio answers 500 and then 201, then the text is sent once, after checking Twilio did not take the first', async () => {
    const [id = ''] = await queueSummaries(db, 1);
    const posts: FormBody[] = [];
    const scope = nock(TWILIO_API)
      .post(MESSAGES_PATH)
      .reply(500, { code: 20500, message: 'An internal server error has occurred', status: 500 })
      .get(MESSAGES_PATH)
      .query(true)
      .reply(200, EMPTY_PAGE)
      .post(MESSAGES_PATH)
      .reply(201, async (req: Request) => {
        const form = await formOf(req);
        posts.push(form);
        return twilioMessage(messageSid(1), form.To, form.Body);
      });
    delivery = await smsDeliveryForNock(db);

    expect(await delivery.worker.drain()).toBe(1);

    expect(scope.isDone()).toBe(true);
    expect(unmatched).toEqual([]);
    const row = await rowOf(id);
    expect(row).toMatchObject({ status: 'sent', messageSid: messageSid(1), attempts: 2 });
    expect(posts[0]?.Body).toMatch(
      /^Permit application FP-2026-\S+ received\. Review: https:\/\/permits\.example\.org\/s\/FP-2026-\S+$/,
    );
    expect(posts[0]?.StatusCallback).toBe('https://permits.example.org/twilio/sms/status');
  });

  it('when Twilio answers 408 (it timed out reading the request), then the text is sent again at once, with no lookup', async () => {
    const [id = ''] = await queueSummaries(db, 1);
    const scope = nock(TWILIO_API)
      .post(MESSAGES_PATH)
      .reply(408, { code: 20408, message: 'Request timeout', status: 408 })
      .post(MESSAGES_PATH)
      .reply(201, async (req: Request) => {
        const form = await formOf(req);
        return twilioMessage(messageSid(8), form.To, form.Body);
      });
    delivery = await smsDeliveryForNock(db);

    expect(await delivery.worker.drain()).toBe(1);

    // A 4xx is otherwise permanent; 408 is the request's time running out, not the message being refused.
    expect(scope.isDone()).toBe(true);
    expect(unmatched).toEqual([]);
    expect(await rowOf(id)).toMatchObject({ status: 'sent', messageSid: messageSid(8), attempts: 2 });
  });

  it('when Twilio answers 429 with Retry-After, then the worker waits at least that long and sends once', async () => {
    const [id = ''] = await queueSummaries(db, 1);
    const postedAt: number[] = [];
    const scope = nock(TWILIO_API)
      .post(MESSAGES_PATH)
      .reply(() => {
        postedAt.push(Date.now());
        return [429, { code: 20429, message: 'Too Many Requests', status: 429 }, { 'Retry-After': '1' }];
      })
      .post(MESSAGES_PATH)
      .reply(201, async (req: Request) => {
        postedAt.push(Date.now());
        const form = await formOf(req);
        return twilioMessage(messageSid(2), form.To, form.Body);
      });
    delivery = await smsDeliveryForNock(db);

    await delivery.worker.drain();

    expect(scope.isDone()).toBe(true);
    expect(unmatched).toEqual([]);
    expect((postedAt[1] ?? 0) - (postedAt[0] ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(await rowOf(id)).toMatchObject({ status: 'sent', messageSid: messageSid(2), attempts: 2 });
  });

  it('when Twilio says the number opted out (21610), then the row fails at once, and a later text to that number is not even tried', async () => {
    const phone = '+13125550177';
    const [first = ''] = await queueSummaries(db, 1, () => phone);
    const scope = nock(TWILIO_API)
      .post(MESSAGES_PATH)
      .reply(400, { code: 21610, message: 'Attempt to send to unsubscribed recipient', status: 400 });
    delivery = await smsDeliveryForNock(db);

    await delivery.worker.drain();
    expect(scope.isDone()).toBe(true);
    expect(await rowOf(first)).toMatchObject({
      status: 'failed',
      attempts: 1,
      errorCode: 21610,
      failureReason: expect.stringContaining('opted out') as unknown,
    });
    expect(await delivery.consent.isOptedOut(phone)).toBe(true);

    const [later = ''] = await queueSummaries(db, 1, () => phone, 1);
    await delivery.worker.drain();

    expect(unmatched).toEqual([]);
    expect(await rowOf(later)).toMatchObject({ status: 'failed', attempts: 0, failureReason: OPTED_OUT_REASON });
  });

  it('when a request times out, then Twilio is asked whether it has the message, and it is sent again only if not', async () => {
    const [id = ''] = await queueSummaries(db, 1);
    const scope = nock(TWILIO_API)
      .post(MESSAGES_PATH)
      .delay(2_000)
      .reply(201, twilioMessage(messageSid(3), '+13125550100', 'never seen'))
      .get(MESSAGES_PATH)
      .query((q) => typeof q.To === 'string')
      .reply(200, EMPTY_PAGE)
      .post(MESSAGES_PATH)
      .reply(201, async (req: Request) => {
        const form = await formOf(req);
        return twilioMessage(messageSid(4), form.To, form.Body);
      });
    delivery = await smsDeliveryForNock(db);

    await delivery.worker.drain();

    expect(scope.isDone()).toBe(true);
    expect(await rowOf(id)).toMatchObject({ status: 'sent', messageSid: messageSid(4), attempts: 2 });
  });

  it('when the worker is stopped while Twilio is answering, then the answer is still recorded and the text is not left to be sent again', async () => {
    const [id = ''] = await queueSummaries(db, 1);
    let answered = false;
    nock(TWILIO_API)
      .post(MESSAGES_PATH)
      .delay(200)
      .reply(201, async (req: Request) => {
        const form = await formOf(req);
        answered = true;
        return twilioMessage(messageSid(5), form.To, form.Body);
      });
    delivery = await smsDeliveryForNock(db);
    delivery.worker.start();
    await eventually(async () => (await rowOf(id)).attempts === 1, 'the request is on its way');

    await delivery.worker.stop();

    expect(answered).toBe(true);
    expect(await rowOf(id)).toMatchObject({ status: 'sent', messageSid: messageSid(5) });
    expect(delivery.worker.tally.sent).toBe(1);
  });

  it('when Twilio keeps failing, then the circuit opens and rows wait unspent; when it recovers, every row is sent exactly once', async () => {
    const ids = await queueSummaries(db, 3);
    let failing = true;
    let sid = 100;
    const accepted: string[] = [];
    // Rows given back after an attempt are looked up at Twilio before they are sent again.
    nock(TWILIO_API)
      .persist()
      .get(MESSAGES_PATH)
      .query(true)
      .reply(() => (failing ? [503, { code: 20503, message: 'Service Unavailable', status: 503 }] : [200, EMPTY_PAGE]));
    nock(TWILIO_API)
      .persist()
      .post(MESSAGES_PATH)
      .reply(async (req: Request) => {
        if (failing) return [503, { code: 20503, message: 'Service Unavailable', status: 503 }];
        const form = await formOf(req);
        accepted.push(form.Body);
        return [201, twilioMessage(messageSid(++sid), form.To, form.Body)];
      });
    delivery = await smsDeliveryForNock(db, { SMS_MAX_ATTEMPTS: '10' });
    const worker = delivery.worker;

    worker.start();
    await waitUntil(() => worker.circuit === 'open', 'the circuit opens');
    const statuses = async () => (await Promise.all(ids.map((id) => rowOf(id)))).map((r) => r.status);
    await eventually(async () => (await statuses()).every((s) => s === 'pending'), 'every row is given back to wait');
    const waiting = await Promise.all(ids.map((id) => rowOf(id)));
    expect(waiting.every((r) => r.attempts < 10 && r.failureReason === 'waiting: Twilio is unavailable')).toBe(true);

    failing = false;
    await eventually(
      async () => (await statuses()).every((s) => s === 'sent'),
      'every row is sent after recovery',
      8_000,
    );

    expect(worker.circuit).toBe('closed');
    expect(accepted).toHaveLength(3);
    expect(new Set(accepted).size).toBe(3);
  });
});

describe('the SMS outbox worker against the local Twilio stand-in', () => {
  let database: ReturnType<typeof tempDatabaseFile>;
  let db: Client;
  let standIn: TwilioStandIn;
  const deliveries: SmsDelivery[] = [];
  const connections: Client[] = [];

  beforeEach(async () => {
    database = tempDatabaseFile();
    db = await openDatabase({ url: database.url, authToken: undefined });
    await migrate(db);
    standIn = await startTwilioStandIn({
      accountSid: STAND_IN_ACCOUNT_SID,
      authToken: TEST_AUTH_TOKEN,
      deliver: false,
    });
  });

  afterEach(async () => {
    await Promise.all(deliveries.splice(0).map((d) => d.close()));
    for (const c of connections.splice(0)) c.close();
    await standIn.close();
    db.close();
    database.cleanup();
  });

  it('when the answer to an accepted send is lost, then the message is found at Twilio and adopted, not sent twice', async () => {
    const [id = ''] = await queueSummaries(db, 1);
    standIn.script({ kind: 'accept-then-drop' });
    const delivery = await smsDeliveryForStandIn(db, standIn.baseUrl);
    deliveries.push(delivery);

    await delivery.worker.drain();

    expect(standIn.messages).toHaveLength(1);
    const row = await delivery.outbox.find(await outboxIdOf(db, id));
    expect(row).toMatchObject({ status: 'sent', messageSid: standIn.messages[0]?.sid, attempts: 1 });
  });

  it('when a worker died after Twilio accepted a text but before recording it, then the next worker adopts that message instead of resending', async () => {
    const [id = ''] = await queueSummaries(db, 1);
    const outbox = new SmsOutboxRepository(db, cipher());
    // The worker that "crashes": it claims the row, starts the attempt and sends, and never records the SID.
    const [claimed] = await outbox.claim('crashed-worker', 1, 1);
    expect(claimed).toBeDefined();
    expect(await outbox.beginAttempt(claimed?.id ?? '', 'crashed-worker', 1)).toBe(true);
    const delivery = await smsDeliveryForStandIn(db, standIn.baseUrl);
    deliveries.push(delivery);
    const client = twilio(STAND_IN_ACCOUNT_SID, TEST_AUTH_TOKEN, {
      httpClient: asTwilioHttpClient(new StandInHttpClient({ baseUrl: standIn.baseUrl })),
    });
    // Exactly the text the crashed worker would have sent: the body with this deployment's review link.
    const filled = fillReviewLink(
      claimed?.body ?? '',
      new ReviewLinks(new URL(FAST_SMS_SETTINGS.PUBLIC_BASE_URL), testDataKeys(TEST_KEY_A)).linkFor(
        claimed?.reference ?? '',
      ),
    );
    await client.messages.create({ to: claimed?.toPhone ?? '', from: TEST_FROM_NUMBER, body: filled });
    await pause(5);

    await delivery.worker.drain();

    expect(standIn.createRequests).toBe(1);
    const row = await outbox.find(claimed?.id ?? '');
    expect(row).toMatchObject({ status: 'sent', messageSid: standIn.messages[0]?.sid, applicationId: id });
  });

  it('when a caller asks for the web link twice, then one text carrying a working resume link is sent, besides the summary', async () => {
    const [id = ''] = await queueSummaries(db, 1, () => '+13125550133');
    const delivery = await smsDeliveryForStandIn(db, standIn.baseUrl);
    deliveries.push(delivery);

    await delivery.queueWebLink(id, '+13125550133');
    await delivery.queueWebLink(id, '+13125550133');
    await delivery.worker.drain();

    const links = standIn.messages.filter((m) => m.body.includes('/apply/resume/'));
    expect(standIn.messages).toHaveLength(2);
    expect(links).toHaveLength(1);
    expect(links[0]?.to).toBe('+13125550133');
    const token = /\/apply\/resume\/([\w-]+)/.exec(links[0]?.body ?? '')?.[1] ?? '';
    expect(
      new ResumeLinks(new URL(FAST_SMS_SETTINGS.PUBLIC_BASE_URL), testDataKeys(TEST_KEY_A)).verify(token),
    ).toMatchObject({ ok: true, applicationId: id });
    expect(links[0]?.body).toMatch(/Reply STOP to opt out\.$/);
  });

  it('when the web link is queued for a draft (no reference yet), then it is sent, and nothing else queued with it is held up', async () => {
    const draft = await new ApplicationRepository(db, cipher()).createDraft('ivr');
    const [submitted = ''] = await queueSummaries(db, 1, () => '+13125550135');
    const delivery = await smsDeliveryForStandIn(db, standIn.baseUrl);
    deliveries.push(delivery);

    await delivery.queueWebLink(draft, '+13125550134');
    await delivery.worker.drain();

    expect(standIn.messages.map((m) => m.to).sort()).toEqual(['+13125550134', '+13125550135']);
    expect(await delivery.outbox.find(await outboxIdOf(db, submitted))).toMatchObject({ status: 'sent' });
    const rows = await db.execute({ sql: 'SELECT status FROM sms_outbox WHERE application_id = ?', args: [draft] });
    expect(rows.rows.map((r) => r.status)).toEqual(['sent']);
  });

  it(
    'when two workers with their own connections drain 500 rows from one database file, then every row is sent exactly once',
    async () => {
      const ids = await queueSummaries(db, 500);
      for (let i = 0; i < 2; i++) {
        const connection = await openDatabase({ url: database.url, authToken: undefined });
        connections.push(connection);
        deliveries.push(await smsDeliveryForStandIn(connection, standIn.baseUrl));
      }

      const handled = await Promise.all(deliveries.map((d) => d.worker.drain()));

      expect(handled[0]).toBeGreaterThan(0);
      expect(handled[1]).toBeGreaterThan(0);
      expect((handled[0] ?? 0) + (handled[1] ?? 0)).toBe(500);
      expect(standIn.createRequests).toBe(500);
      expect(new Set(standIn.messages.map((m) => m.body)).size).toBe(500);
      const sent = await db.execute(
        "SELECT count(*) AS n, count(DISTINCT message_sid) AS sids FROM sms_outbox WHERE status = 'sent'",
      );
      expect(sent.rows[0]).toMatchObject({ n: 500, sids: 500 });
      expect(ids).toHaveLength(500);
    },
    databaseBound(20_000),
  );
});

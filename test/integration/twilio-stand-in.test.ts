import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/ops/logger.ts';
import { startTwilioStandIn, type TwilioStandIn, type TwilioStandInOptions } from '../../src/sim/twilio-stand-in.ts';
import { asTwilioHttpClient, StandInHttpClient } from '../../src/sms/stand-in-http-client.ts';
import { pause, waitUntil } from '../support/wait.ts';

/**
 * The real `twilio` library, through StandInHttpClient, against the real
 * stand-in on a free port: what the SMS sender will see without Twilio
 * credentials, faults included.
 */

const ACCOUNT_SID = `AC${'5a'.repeat(16)}`;
const AUTH_TOKEN = 'stand-in-test-auth-token';
const MESSAGING_SERVICE_SID = `MG${'7c'.repeat(16)}`;
const FROM = '+13125550100';
const TO = '+13125550123';
const OTHER = '+13125550145';
const BODY = 'Ref FP-2026-7KQ3XM: your food permit application was received.';
const PINO_WARN = 40;
const SID = /^SM[0-9a-f]{32}$/;
const RFC_2822_UTC =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$/;

const standIns: TwilioStandIn[] = [];
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(standIns.splice(0).map((standIn) => standIn.close()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

async function standIn(options: Partial<TwilioStandInOptions> = {}): Promise<TwilioStandIn> {
  const started = await startTwilioStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, ...options });
  standIns.push(started);
  return started;
}

function clientFor(target: TwilioStandIn, options: { authToken?: string; timeoutMs?: number } = {}): twilio.Twilio {
  const httpClient = new StandInHttpClient({
    baseUrl: target.baseUrl,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  return twilio(ACCOUNT_SID, options.authToken ?? AUTH_TOKEN, { httpClient: asTwilioHttpClient(httpClient) });
}

/** What the promise rejected with, or a failure if it resolved. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function restException(promise: Promise<unknown>): Promise<twilio.RestException> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(twilio.RestException);
  return error as twilio.RestException;
}

interface Callback {
  readonly url: string;
  readonly params: Record<string, string>;
  readonly signature: string;
}

/** A real HTTP server on a free port standing in for our /twilio/sms/status webhook. */
async function callbackReceiver(): Promise<{ url: string; received: Callback[] }> {
  const received: Callback[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    void (async () => {
      let text = '';
      for await (const chunk of request as AsyncIterable<Buffer>) text += chunk.toString('utf8');
      received.push({
        url: `http://${request.headers.host ?? ''}${request.url ?? ''}`,
        params: Object.fromEntries(new URLSearchParams(text)),
        signature: request.headers['x-twilio-signature']?.toString() ?? '',
      });
      response.writeHead(204).end();
    })();
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/twilio/sms/status`, received };
}

/** An http URL on a port that was just free: nothing listens there. */
async function refusingUrl(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/twilio/sms/status`;
}

const listeningServers = (): number =>
  process.getActiveResourcesInfo().filter((resource) => resource === 'TCPServerWrap').length;

class CapturedLog extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe('Twilio stand-in: creating messages', () => {
  it("when a message is created, then the library gets an SM sid and the stand-in records it in Twilio's shape", async () => {
    const target = await standIn({ deliver: false });
    const message = await clientFor(target).messages.create({ to: TO, from: FROM, body: BODY });

    expect(message.sid).toMatch(SID);
    expect(message.status).toBe('queued');
    expect(message.numSegments).toBe('1');
    expect(message.direction).toBe('outbound-api');
    expect(message.dateCreated).toBeInstanceOf(Date);
    expect(Math.abs(message.dateCreated.getTime() - Date.now())).toBeLessThan(5_000);
    expect(target.createRequests).toBe(1);
    expect(target.messages).toHaveLength(1);
    const [recorded] = target.messages;
    expect(recorded).toMatchObject({
      sid: message.sid,
      account_sid: ACCOUNT_SID,
      to: TO,
      from: FROM,
      body: BODY,
      error_code: null,
      price: null,
      api_version: '2010-04-01',
    });
    expect(recorded?.date_created).toMatch(RFC_2822_UTC);
    expect(recorded?.date_sent).toMatch(RFC_2822_UTC);
    expect(recorded?.uri).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${message.sid}.json`);
  });

  it('when sent through a messaging service, then it is accepted without a sender yet', async () => {
    const target = await standIn({ deliver: false });
    const message = await clientFor(target).messages.create({
      to: TO,
      messagingServiceSid: MESSAGING_SERVICE_SID,
      body: BODY,
    });
    expect(message.status).toBe('accepted');
    expect(message.messagingServiceSid).toBe(MESSAGING_SERVICE_SID);
    expect(message.from).toBeNull();
  });

  it.each([
    ['160 GSM-7 characters', '1', 'a'.repeat(160)],
    ['161 GSM-7 characters', '2', 'a'.repeat(161)],
    ['307 GSM-7 characters', '3', 'a'.repeat(307)],
    ['70 UCS-2 characters', '1', 'ü'.repeat(69) + '✓'],
    ['71 UCS-2 characters', '2', 'ü'.repeat(70) + '✓'],
    ['135 UCS-2 characters', '3', '✓'.repeat(135)],
  ])('when the body is %s, then num_segments is %s', async (_label, segments, body) => {
    const target = await standIn({ deliver: false });
    const message = await clientFor(target).messages.create({ to: TO, from: FROM, body });
    expect(message.numSegments).toBe(segments);
  });

  it('when the auth token is wrong, then the library throws a RestException 401 (20003) and nothing is recorded', async () => {
    const target = await standIn({ deliver: false });
    const error = await restException(
      clientFor(target, { authToken: 'not-the-token' }).messages.create({ to: TO, from: FROM, body: BODY }),
    );
    expect(error).toMatchObject({ status: 401, code: 20003, moreInfo: 'https://www.twilio.com/docs/errors/20003' });
    expect(target.messages).toHaveLength(0);
    expect(target.createRequests).toBe(1);
  });

  it.each([
    ['To is not E.164', { to: '3125550123', from: FROM, body: BODY }, 21211],
    ['Body is missing', { to: TO, from: FROM }, 21602],
    ['neither From nor MessagingServiceSid is given', { to: TO, body: BODY }, 21603],
  ])('when %s, then the library throws a RestException 400 with its Twilio code', async (_label, params, code) => {
    const target = await standIn({ deliver: false });
    const error = await restException(clientFor(target).messages.create(params));
    expect(error).toMatchObject({ status: 400, code });
    expect(target.messages).toHaveLength(0);
  });

  it('when the recipient opted out, then the create fails with 21610 and other numbers still get through', async () => {
    const target = await standIn({ deliver: false });
    target.optOut(TO);
    const client = clientFor(target);
    const error = await restException(client.messages.create({ to: TO, from: FROM, body: BODY }));
    expect(error).toMatchObject({ status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' });
    await client.messages.create({ to: OTHER, from: FROM, body: BODY });
    expect(target.messages.map((message) => message.to)).toEqual([OTHER]);
  });
});

describe('Twilio stand-in: scripted faults', () => {
  it('when a 500 is scripted, then the first create fails with 20500 and the retry succeeds', async () => {
    const target = await standIn({ deliver: false });
    target.script({ status: 500 });
    const client = clientFor(target);
    const error = await restException(client.messages.create({ to: TO, from: FROM, body: BODY }));
    expect(error).toMatchObject({ status: 500, code: 20500 });
    expect(target.messages).toHaveLength(0);

    const message = await client.messages.create({ to: TO, from: FROM, body: BODY });
    expect(target.messages.map((m) => m.sid)).toEqual([message.sid]);
    expect(target.createRequests).toBe(2);
  });

  it('when a 429 is scripted, then the RestException has status 429 and Retry-After reaches the httpClient seam', async () => {
    const target = await standIn({ deliver: false });
    target.script({ status: 429, retryAfterSeconds: 7 });
    // RestException keeps only the body, so a caller wanting Retry-After has to read it where the response passes: the httpClient.
    const seen: Record<string, string>[] = [];
    const inner = new StandInHttpClient({ baseUrl: target.baseUrl });
    const recording = asTwilioHttpClient({
      request: async (opts) => {
        const response = await inner.request(opts);
        seen.push(response.headers as Record<string, string>);
        return response;
      },
    });
    const error = await restException(
      twilio(ACCOUNT_SID, AUTH_TOKEN, { httpClient: recording }).messages.create({ to: TO, from: FROM, body: BODY }),
    );
    expect(error).toMatchObject({ status: 429, code: 20429 });
    expect(seen.at(-1)?.['retry-after']).toBe('7');
  });

  it('when a 400 refusal is scripted, then the create fails with that code even for a valid message', async () => {
    const target = await standIn({ deliver: false });
    target.script({ status: 400, code: 21614 });
    const error = await restException(clientFor(target).messages.create({ to: TO, from: FROM, body: BODY }));
    expect(error).toMatchObject({ status: 400, code: 21614 });
  });

  it('when accept-then-drop is scripted, then the create rejects with ECONNRESET but the message exists and a list finds it', async () => {
    const target = await standIn({ deliver: false });
    target.script({ kind: 'accept-then-drop' });
    const client = clientFor(target);
    const since = new Date();
    const error = await rejectionOf(client.messages.create({ to: TO, from: FROM, body: BODY }));
    expect(error).not.toBeInstanceOf(twilio.RestException);
    expect(error).toMatchObject({ code: 'ECONNRESET' });
    expect(target.messages).toHaveLength(1);

    const found = await client.messages.list({ to: TO, dateSentAfter: since });
    expect(found.map((message) => message.sid)).toEqual([target.messages[0]?.sid]);
  });

  it('when hang is scripted, then the client times out with ECONNABORTED and no message is created', async () => {
    const target = await standIn({ deliver: false });
    target.script({ kind: 'hang' });
    const error = await rejectionOf(
      clientFor(target, { timeoutMs: 300 }).messages.create({ to: TO, from: FROM, body: BODY }),
    );
    expect(error).toMatchObject({ code: 'ECONNABORTED', message: 'timeout of 300ms exceeded' });
    expect(target.messages).toHaveLength(0);
    expect(target.createRequests).toBe(1);
  });

  it('when a request hangs at close, then close destroys it and resolves', async () => {
    const target = await standIn({ deliver: false });
    target.script({ kind: 'hang' });
    const hanging = rejectionOf(clientFor(target).messages.create({ to: TO, from: FROM, body: BODY }));
    await waitUntil(() => target.createRequests === 1, 'the stand-in got the create');
    await target.close();
    expect(await hanging).toMatchObject({ code: 'ECONNRESET' });
  });
});

describe('Twilio stand-in: reading messages', () => {
  it("when listing by To and dateSentAfter, then only that number's messages come back, newest first", async () => {
    const target = await standIn({ deliver: false });
    const client = clientFor(target);
    const since = new Date();
    const first = await client.messages.create({ to: TO, from: FROM, body: 'first' });
    await client.messages.create({ to: OTHER, from: FROM, body: 'to someone else' });
    const second = await client.messages.create({ to: TO, from: FROM, body: 'second' });

    const found = await client.messages.list({ to: TO, dateSentAfter: since });
    expect(found.map((message) => message.sid)).toEqual([second.sid, first.sid]);
    expect(found[0]).toMatchObject({ to: TO, body: 'second', direction: 'outbound-api' });
  });

  it('when the date filters exclude the message, then the list is empty, and DateSent finds it on its day', async () => {
    const target = await standIn({ deliver: false });
    const client = clientFor(target);
    const created = await client.messages.create({ to: TO, from: FROM, body: BODY });
    expect(await client.messages.list({ to: TO, dateSentAfter: new Date(Date.now() + 60_000) })).toEqual([]);
    expect(await client.messages.list({ to: TO, dateSentBefore: new Date(Date.now() - 60_000) })).toEqual([]);
    expect(
      await client.messages.list({ to: TO, dateSent: new Date(created.dateSent.getTime() - 24 * 3_600_000) }),
    ).toEqual([]);
    expect(await client.messages.list({ to: TO, dateSent: created.dateSent })).toHaveLength(1);
  });

  it('when there are more messages than a page holds, then the library follows next_page_uri through the stand-in', async () => {
    const target = await standIn({ deliver: false });
    const client = clientFor(target);
    for (const body of ['one', 'two', 'three']) await client.messages.create({ to: TO, from: FROM, body });
    const found = await client.messages.list({ to: TO, pageSize: 2 });
    expect(found.map((message) => message.body)).toEqual(['three', 'two', 'one']);
  });

  it('when fetching by sid, then the message comes back, and an unknown sid is a 404 (20404)', async () => {
    const target = await standIn({ deliver: false });
    const client = clientFor(target);
    const created = await client.messages.create({ to: TO, from: FROM, body: BODY });
    expect(await client.messages(created.sid).fetch()).toMatchObject({ sid: created.sid, body: BODY });
    const error = await restException(client.messages(`SM${'0'.repeat(32)}`).fetch());
    expect(error).toMatchObject({ status: 404, code: 20404 });
  });
});

describe('Twilio stand-in: status callbacks', () => {
  it('when a StatusCallback is given, then signed sent and delivered callbacks arrive in that order', async () => {
    const receiver = await callbackReceiver();
    const target = await standIn({ callbackDelayMs: 20 });
    const message = await clientFor(target).messages.create({
      to: TO,
      from: FROM,
      body: BODY,
      statusCallback: receiver.url,
    });

    await waitUntil(() => receiver.received.length === 2, 'two status callbacks arrived');
    expect(receiver.received.map((callback) => callback.params.MessageStatus)).toEqual(['sent', 'delivered']);
    for (const callback of receiver.received) {
      expect(callback.url).toBe(receiver.url);
      expect(twilio.validateRequest(AUTH_TOKEN, callback.signature, callback.url, callback.params)).toBe(true);
      expect(twilio.validateRequest('another-token', callback.signature, callback.url, callback.params)).toBe(false);
      expect(callback.params).toMatchObject({
        MessageSid: message.sid,
        SmsSid: message.sid,
        AccountSid: ACCOUNT_SID,
        From: FROM,
        To: TO,
        ApiVersion: '2010-04-01',
      });
      expect(callback.params.ErrorCode).toBeUndefined();
    }
    expect(target.messages[0]?.status).toBe('delivered');
  });

  it('when undelivered is scripted, then the callbacks are sent and then undelivered with the error code', async () => {
    const receiver = await callbackReceiver();
    const target = await standIn({ callbackDelayMs: 20 });
    target.script({ kind: 'undelivered', errorCode: 30005 });
    await clientFor(target).messages.create({ to: TO, from: FROM, body: BODY, statusCallback: receiver.url });

    await waitUntil(() => receiver.received.length === 2, 'two status callbacks arrived');
    expect(receiver.received.map((callback) => [callback.params.MessageStatus, callback.params.ErrorCode])).toEqual([
      ['sent', undefined],
      ['undelivered', '30005'],
    ]);
    expect(target.messages[0]).toMatchObject({ status: 'undelivered', error_code: 30005 });
  });

  it('when the callback URL refuses connections, then the failure is logged at warn and delivery goes on', async () => {
    const closedUrl = await refusingUrl();
    const log = new CapturedLog();
    const target = await standIn({ callbackDelayMs: 20, logger: pino({ level: 'info' }, log) });
    await clientFor(target).messages.create({ to: TO, from: FROM, body: BODY, statusCallback: closedUrl });

    const warnings = (): { msg: string; status?: string }[] =>
      log.text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { level: number; msg: string; status?: string })
        .filter((line) => line.level === PINO_WARN);
    await waitUntil(() => warnings().length === 2, 'two callback failures were logged');
    expect(warnings().map((line) => [line.msg, line.status])).toEqual([
      ['status callback failed', 'sent'],
      ['status callback failed', 'delivered'],
    ]);
    expect(target.messages[0]?.status).toBe('delivered');
  });

  it('when deliver is off, then no callback is posted and the message stays queued', async () => {
    const receiver = await callbackReceiver();
    const target = await standIn({ deliver: false, callbackDelayMs: 10 });
    await clientFor(target).messages.create({ to: TO, from: FROM, body: BODY, statusCallback: receiver.url });
    await pause(100);
    expect(receiver.received).toEqual([]);
    expect(target.messages[0]?.status).toBe('queued');
  });
});

describe('Twilio stand-in: logging and shutdown', () => {
  it('when a message is created, then the log line shows the number masked to its last four digits and leaves the body out', async () => {
    const log = new CapturedLog();
    const target = await standIn({ deliver: false, logger: createLogger('info', log) });
    const message = await clientFor(target).messages.create({ to: TO, from: FROM, body: BODY });
    const line = JSON.parse(log.text.trim()) as Record<string, unknown>;
    expect(line).toMatchObject({
      msg: 'SMS (local Twilio stand-in)',
      sid: message.sid,
      segments: 1,
      recipient: '+•••••••0123',
      characters: BODY.length,
    });
    expect(log.text).not.toContain('3125550123');
    expect(log.text).not.toContain('FP-2026-7KQ3XM');
  });

  it('when closed, then its server handle is gone, the port refuses connections and pending callbacks never arrive', async () => {
    const receiver = await callbackReceiver();
    const listeningBefore = listeningServers();
    const target = await standIn({ callbackDelayMs: 100 });
    expect(listeningServers()).toBe(listeningBefore + 1);
    await clientFor(target).messages.create({ to: TO, from: FROM, body: BODY, statusCallback: receiver.url });
    await target.close();
    expect(listeningServers()).toBe(listeningBefore);

    const error = await rejectionOf(fetch(`${target.baseUrl}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`));
    expect((error as Error).cause).toMatchObject({ code: 'ECONNREFUSED' });
    await pause(300);
    expect(receiver.received).toEqual([]);
    expect(target.messages[0]?.status).toBe('queued');
  });

  it("when the stand-in is gone, then the client rejects with ECONNREFUSED, as the library's own client would", async () => {
    const target = await standIn({ deliver: false });
    await target.close();
    const error = await rejectionOf(clientFor(target).messages.create({ to: TO, from: FROM, body: BODY }));
    expect(error).toMatchObject({ code: 'ECONNREFUSED' });
  });
});

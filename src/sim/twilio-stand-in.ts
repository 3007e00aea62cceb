import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { pino, type Logger } from 'pino';
import twilio from 'twilio';
import { isGsm7, smsSegments } from '../protocols/gsm7.ts';
import { listen, sameSecret } from './local-server.ts';

/**
 * A local stand-in for Twilio's Messages REST API (2010-04-01), so that
 * `npm start` without Twilio credentials still sends its SMS somewhere: it
 * records and logs each message and posts the signed status callbacks Twilio
 * would. Tests script its faults. The `twilio` library reaches it through
 * StandInHttpClient (src/sms/stand-in-http-client.ts).
 */

export interface TwilioStandInOptions {
  readonly accountSid: string;
  readonly authToken: string;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: any free port. */
  readonly port?: number;
  readonly logger?: Logger;
  /** Pause before each status callback. Default 200 ms. */
  readonly callbackDelayMs?: number;
  /** Move each message on to `sent`, then `delivered`, posting a callback for each. Default true. */
  readonly deliver?: boolean;
}

/** One canned answer to a create, taken in order; once the script is used up, creates behave normally. */
export type ScriptedOutcome =
  | { readonly status: 500 | 502 | 503 | 504 }
  | { readonly status: 429; readonly retryAfterSeconds?: number }
  | { readonly status: 400; readonly code: 21211 | 21610 | 21614 }
  /** Never answers; the connection is destroyed on close (or by the client's timeout). */
  | { readonly kind: 'hang' }
  /** Creates the message, then drops the connection unanswered: Twilio took it, but the answer was lost. */
  | { readonly kind: 'accept-then-drop' }
  /** Created normally, but the carrier fails it: `sent`, then `undelivered` with this error (default 30003, unreachable handset). */
  | { readonly kind: 'undelivered'; readonly errorCode?: number };

export type MessageStatus = 'accepted' | 'queued' | 'sent' | 'delivered' | 'undelivered' | 'failed';

/** A Message resource as Twilio's JSON has it: snake_case, counts as strings, RFC 2822 dates. */
export interface MessageResource {
  readonly sid: string;
  readonly account_sid: string;
  readonly messaging_service_sid: string | null;
  readonly to: string;
  readonly from: string | null;
  readonly body: string;
  readonly status: MessageStatus;
  readonly num_segments: string;
  readonly num_media: string;
  readonly direction: 'outbound-api';
  readonly api_version: typeof API_VERSION;
  readonly date_created: string;
  readonly date_updated: string;
  readonly date_sent: string | null;
  readonly error_code: number | null;
  readonly error_message: string | null;
  readonly price: string | null;
  readonly price_unit: string;
  readonly uri: string;
  readonly subresource_uris: { readonly media: string };
}

export interface TwilioStandIn {
  /** `http://HOST:PORT`: give it to StandInHttpClient. */
  readonly baseUrl: string;
  /** Every message created, oldest first, as a fetch would return it now. */
  readonly messages: readonly MessageResource[];
  /** POSTs to the Messages list so far, refused and dropped ones included. */
  readonly createRequests: number;
  script(...outcomes: ScriptedOutcome[]): void;
  /** Later creates to `number` get error 21610, as after the recipient replied STOP. */
  optOut(number: string): void;
  close(): Promise<void>;
}

const API_VERSION = '2010-04-01';
const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_CALLBACK_DELAY_MS = 200;
const CALLBACK_TIMEOUT_MS = 5_000;
const E164 = /^\+[1-9]\d{6,14}$/;
const MESSAGE_LIST_PATH = /^\/2010-04-01\/Accounts\/(\w+)\/Messages\.json$/;
const MESSAGE_PATH = /^\/2010-04-01\/Accounts\/(\w+)\/Messages\/(\w+)\.json$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
// Twilio refuses bodies past 1600 characters (error 21617).
const MAX_BODY_CHARS = 1600;
const MAX_REQUEST_BYTES = 64 * 1024;
// UCS-2 segments, in UTF-16 code units: 70 alone, 67 when a 6-byte header is needed to join them.
const UCS2_SEGMENT_UNITS = Object.freeze({ single: 70, multipart: 67 });
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;
const MS_PER_SECOND = 1000;
const MS_PER_DAY = 86_400_000;
const DEFAULT_UNDELIVERED_ERROR = 30003;
const VISIBLE_DIGITS = 4;

interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

interface StoredMessage {
  readonly resource: { -readonly [K in keyof MessageResource]: MessageResource[K] };
  /** date_sent to the second, as a filter compares it. */
  readonly sentAtMs: number;
}

interface CreateRequest {
  readonly to: string;
  readonly from: string | undefined;
  readonly messagingServiceSid: string | undefined;
  readonly body: string;
  readonly statusCallback: string | undefined;
}

type FinalStatus = { readonly status: 'delivered' } | { readonly status: 'undelivered'; readonly errorCode: number };

export async function startTwilioStandIn(options: TwilioStandInOptions): Promise<TwilioStandIn> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const callbackDelayMs = options.callbackDelayMs ?? DEFAULT_CALLBACK_DELAY_MS;
  const expectedAuthorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  const stored: StoredMessage[] = [];
  const optedOut = new Set<string>();
  const script: ScriptedOutcome[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const callbacksInFlight = new Set<Promise<void>>();
  const closing = new AbortController();
  let createRequests = 0;

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.error({ err: error }, 'Twilio stand-in failed a request');
      if (!response.headersSent) send(response, twilioError(500, 20500, 'An internal server error has occurred'));
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://stand-in.invalid');
    const [, accountSid, messageSid] = MESSAGE_LIST_PATH.exec(url.pathname) ?? MESSAGE_PATH.exec(url.pathname) ?? [];
    const isCreate = accountSid !== undefined && messageSid === undefined && request.method === 'POST';
    if (isCreate) createRequests += 1;
    const form = request.method === 'POST' ? await readForm(request) : new URLSearchParams();
    if (accountSid === undefined) {
      send(response, notFound(url.pathname));
    } else if (!authorized(request.headers.authorization, accountSid)) {
      send(response, {
        ...twilioError(401, 20003, 'Authenticate'),
        headers: { 'WWW-Authenticate': 'Basic realm="Twilio API"' },
      });
    } else if (messageSid !== undefined) {
      send(response, request.method === 'GET' ? fetchOne(url.pathname, messageSid) : methodNotAllowed());
    } else if (request.method === 'GET') {
      send(response, list(url));
    } else if (isCreate) {
      create(form, request, response);
    } else {
      send(response, methodNotAllowed());
    }
  }

  function authorized(header: string | undefined, accountSid: string): boolean {
    const credentialsMatch = sameSecret(header ?? '', expectedAuthorization);
    return credentialsMatch && accountSid === options.accountSid;
  }

  function create(form: URLSearchParams, request: IncomingMessage, response: ServerResponse): void {
    const outcome = script.shift();
    if (outcome !== undefined && 'status' in outcome) {
      send(response, scriptedError(outcome));
      return;
    }
    // Left unanswered; close() destroys the connection.
    if (outcome?.kind === 'hang') return;
    const parsed = parseCreate(form, optedOut);
    if ('status' in parsed) {
      send(response, parsed);
      return;
    }
    const message = record(parsed);
    if (outcome?.kind === 'accept-then-drop') request.socket.destroy();
    else send(response, { status: 201, body: message.resource });
    const final: FinalStatus =
      outcome?.kind === 'undelivered'
        ? { status: 'undelivered', errorCode: outcome.errorCode ?? DEFAULT_UNDELIVERED_ERROR }
        : { status: 'delivered' };
    if (options.deliver !== false) deliver(message, parsed.statusCallback, final);
  }

  function record(request: CreateRequest): StoredMessage {
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const now = new Date();
    const uri = `/${API_VERSION}/Accounts/${options.accountSid}/Messages/${sid}.json`;
    const segments = segmentCount(request.body);
    const message: StoredMessage = {
      sentAtMs: Math.floor(now.getTime() / MS_PER_SECOND) * MS_PER_SECOND,
      resource: {
        sid,
        account_sid: options.accountSid,
        messaging_service_sid: request.messagingServiceSid ?? null,
        to: request.to,
        // A messaging service picks the sender from its pool later; the stand-in has no pool.
        from: request.from ?? null,
        body: request.body,
        // Twilio answers `accepted` when a messaging service takes the message, `queued` otherwise.
        status: request.messagingServiceSid === undefined ? 'queued' : 'accepted',
        num_segments: String(segments),
        num_media: '0',
        direction: 'outbound-api',
        api_version: API_VERSION,
        date_created: rfc2822(now),
        date_updated: rfc2822(now),
        // Simplification: Twilio leaves date_sent null until the carrier takes the message;
        // the stand-in sets it at creation so that DateSent filters find new messages at once.
        date_sent: rfc2822(now),
        error_code: null,
        error_message: null,
        price: null,
        price_unit: 'USD',
        uri,
        subresource_uris: { media: uri.replace(/\.json$/, '/Media.json') },
      },
    };
    stored.push(message);
    // The body is not logged: it carries the business name and a link to the application (personal data). npm run demo prints it.
    logger.info(
      { sid, recipient: maskPhoneNumber(request.to), segments, characters: request.body.length },
      'SMS (local Twilio stand-in)',
    );
    return message;
  }

  function deliver(message: StoredMessage, statusCallback: string | undefined, final: FinalStatus): void {
    after(async () => {
      await advance(message, { status: 'sent' }, statusCallback);
      after(() => advance(message, final, statusCallback));
    });
  }

  function after(task: () => Promise<void>): void {
    if (closing.signal.aborted) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      const running = task()
        .catch((error: unknown) => {
          logger.error({ err: error }, 'Twilio stand-in delivery step failed');
        })
        .finally(() => callbacksInFlight.delete(running));
      callbacksInFlight.add(running);
    }, callbackDelayMs);
    timers.add(timer);
  }

  async function advance(
    message: StoredMessage,
    next: FinalStatus | { readonly status: 'sent' },
    statusCallback: string | undefined,
  ): Promise<void> {
    const { resource } = message;
    resource.status = next.status;
    resource.date_updated = rfc2822(new Date());
    if (next.status === 'undelivered') resource.error_code = next.errorCode;
    if (statusCallback !== undefined) await postCallback(resource, statusCallback);
  }

  /** Never throws: a failed callback is the receiver's problem, and by default Twilio does not retry one either. */
  async function postCallback(resource: MessageResource, url: string): Promise<void> {
    const params: Record<string, string> = {
      MessageSid: resource.sid,
      SmsSid: resource.sid,
      MessageStatus: resource.status,
      SmsStatus: resource.status,
      AccountSid: resource.account_sid,
      To: resource.to,
      ApiVersion: API_VERSION,
      ...(resource.from === null ? {} : { From: resource.from }),
      ...(resource.messaging_service_sid === null ? {} : { MessagingServiceSid: resource.messaging_service_sid }),
      ...(resource.error_code === null ? {} : { ErrorCode: String(resource.error_code) }),
    };
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'User-Agent': 'TwilioProxy/1.1',
          'X-Twilio-Signature': twilio.getExpectedTwilioSignature(options.authToken, url, params),
        },
        body: new URLSearchParams(params),
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(CALLBACK_TIMEOUT_MS), closing.signal]),
      });
      await response.body?.cancel();
      if (!response.ok)
        logger.warn(
          { sid: resource.sid, status: resource.status, httpStatus: response.status },
          'status callback refused',
        );
    } catch (error) {
      if (!closing.signal.aborted)
        logger.warn({ sid: resource.sid, status: resource.status, err: error }, 'status callback failed');
    }
  }

  function fetchOne(path: string, sid: string): Reply {
    const message = stored.find((candidate) => candidate.resource.sid === sid);
    return message === undefined ? notFound(path) : { status: 200, body: message.resource };
  }

  function list(url: URL): Reply {
    const query = parseListQuery(url.searchParams);
    if ('status' in query) return query;
    const matching = stored.filter((message) => query.matches(message)).reverse();
    const start = query.page * query.pageSize;
    const pageOf = matching.slice(start, start + query.pageSize);
    const pageUri = (page: number): string => {
      const params = new URLSearchParams(url.searchParams);
      for (const name of ['Page', 'PageSize', 'PageToken']) params.delete(name);
      params.set('PageSize', String(query.pageSize));
      params.set('Page', String(page));
      return `${url.pathname}?${params.toString()}`;
    };
    return {
      status: 200,
      body: {
        messages: pageOf.map((message) => message.resource),
        end: pageOf.length === 0 ? start : start + pageOf.length - 1,
        first_page_uri: pageUri(0),
        next_page_uri: matching.length > start + query.pageSize ? pageUri(query.page + 1) : null,
        page: query.page,
        page_size: query.pageSize,
        previous_page_uri: query.page > 0 ? pageUri(query.page - 1) : null,
        start,
        uri: pageUri(query.page),
      },
    };
  }

  const address = await listen(server, options.port ?? 0, options.host ?? DEFAULT_HOST);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closed: Promise<void> | undefined;

  return {
    baseUrl: `http://${host}:${address.port}`,
    get messages() {
      return stored.map((message) => message.resource);
    },
    get createRequests() {
      return createRequests;
    },
    script: (...outcomes) => {
      script.push(...outcomes);
    },
    optOut: (number) => {
      optedOut.add(number);
    },
    close: () => {
      closed ??= (async () => {
        closing.abort();
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.closeAllConnections();
        await new Promise<void>((resolve, reject) => {
          server.close((error) => {
            if (error === undefined) resolve();
            else reject(error);
          });
        });
        await Promise.all(callbacksInFlight);
      })();
      return closed;
    },
  };
}

function parseCreate(form: URLSearchParams, optedOut: ReadonlySet<string>): CreateRequest | Reply {
  const to = form.get('To') ?? '';
  const from = form.get('From') ?? undefined;
  const messagingServiceSid = form.get('MessagingServiceSid') ?? undefined;
  const body = form.get('Body') ?? '';
  const statusCallback = form.get('StatusCallback') ?? undefined;
  if (to === '') return twilioError(400, 21604, "A 'To' phone number is required.");
  if (!E164.test(to)) return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
  if (from === undefined && messagingServiceSid === undefined)
    return twilioError(400, 21603, "A 'From' phone number is required.");
  if (body === '') return twilioError(400, 21602, 'Message body is required.');
  if (body.length > MAX_BODY_CHARS)
    return twilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
  if (statusCallback !== undefined && !isHttpUrl(statusCallback))
    return twilioError(400, 21609, 'The StatusCallback URL is not a valid URL.');
  if (optedOut.has(to)) return twilioError(400, 21610, 'Attempt to send to unsubscribed recipient');
  return { to, from, messagingServiceSid, body, statusCallback };
}

interface ListQuery {
  readonly page: number;
  readonly pageSize: number;
  matches(message: StoredMessage): boolean;
}

/**
 * The twilio library sends dateSentAfter as `DateSent>` and dateSentBefore as
 * `DateSent<` (so the query reads `DateSent>=...`), with a UTC time to the
 * second. Twilio documents only whole days (YYYY-MM-DD); the stand-in takes
 * either for the bounds, both inclusive, and reads `DateSent` as a whole day.
 */
function parseListQuery(params: URLSearchParams): ListQuery | Reply {
  const to = params.get('To');
  const from = params.get('From');
  const on = dateRange(params.get('DateSent')?.slice(0, 'YYYY-MM-DD'.length) ?? null);
  const onOrAfter = dateRange(params.get('DateSent>'));
  const onOrBefore = dateRange(params.get('DateSent<'));
  if (on === 'invalid' || onOrAfter === 'invalid' || onOrBefore === 'invalid')
    return twilioError(400, 20001, 'Invalid date value.');
  const pageSize = wholeNumber(params.get('PageSize') ?? String(DEFAULT_PAGE_SIZE));
  const page = wholeNumber(params.get('Page') ?? '0');
  if (pageSize === undefined || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
    return twilioError(400, 20001, 'Invalid PageSize.');
  if (page === undefined) return twilioError(400, 20001, 'Invalid Page.');
  return {
    page,
    pageSize,
    matches: ({ resource, sentAtMs }) =>
      (to === null || resource.to === to) &&
      (from === null || resource.from === from) &&
      (on === undefined || (sentAtMs >= on.start && sentAtMs < on.end)) &&
      (onOrAfter === undefined || sentAtMs >= onOrAfter.start) &&
      (onOrBefore === undefined || sentAtMs < onOrBefore.end),
  };
}

/** The instants a date filter value covers, as [start, end): a whole UTC day, or one second. */
function dateRange(value: string | null): { start: number; end: number } | 'invalid' | undefined {
  if (value === null) return undefined;
  const start = Date.parse(DATE_ONLY.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(start)) return 'invalid';
  return { start, end: start + (DATE_ONLY.test(value) ? MS_PER_DAY : MS_PER_SECOND) };
}

function wholeNumber(value: string): number | undefined {
  return /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}

function scriptedError(outcome: Extract<ScriptedOutcome, { status: number }>): Reply {
  switch (outcome.status) {
    case 429:
      return {
        ...twilioError(429, 20429, 'Too Many Requests'),
        headers: outcome.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(outcome.retryAfterSeconds) },
      };
    case 400:
      return twilioError(400, outcome.code, SCRIPTED_REFUSALS[outcome.code]);
    default:
      return twilioError(outcome.status, 20500, 'An internal server error has occurred');
  }
}

const SCRIPTED_REFUSALS = {
  21211: "The 'To' number is not a valid phone number.",
  21610: 'Attempt to send to unsubscribed recipient',
  21614: "'To' number is not a valid mobile number",
} as const;

function twilioError(status: number, code: number, message: string): Reply {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

function notFound(path: string): Reply {
  return twilioError(404, 20404, `The requested resource ${path} was not found`);
}

function methodNotAllowed(): Reply {
  return twilioError(405, 20004, 'Method not allowed');
}

function send(response: ServerResponse, reply: Reply): void {
  const text = JSON.stringify(reply.body);
  response
    .writeHead(reply.status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
      ...reply.headers,
    })
    .end(text);
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) throw new RangeError(`request body over ${MAX_REQUEST_BYTES} bytes`);
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** Segments as Twilio bills them: GSM-7 when every character allows it, otherwise UCS-2. */
function segmentCount(body: string): number {
  if (isGsm7(body)) return smsSegments(body);
  return body.length <= UCS2_SEGMENT_UNITS.single ? 1 : Math.ceil(body.length / UCS2_SEGMENT_UNITS.multipart);
}

/** Twilio's date format: RFC 2822 in UTC, written `+0000` where toUTCString writes `GMT`. */
function rfc2822(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/** Every digit but the last four becomes a dot: enough to tell test numbers apart, too little to be personal data. */
function maskPhoneNumber(number: string): string {
  const hidden = Math.max(0, number.length - VISIBLE_DIGITS);
  return number.slice(0, hidden).replace(/\d/g, '•') + number.slice(hidden);
}

function isHttpUrl(value: string): boolean {
  const url = URL.parse(value);
  return url !== null && (url.protocol === 'http:' || url.protocol === 'https:');
}

import type { Twilio } from 'twilio';
import { inSpan, SpanKind, SPAN_ATTRIBUTES } from '../ops/spans.ts';
import { SendError, type OutgoingSms, type SendFailure, type SmsSender } from './sms-sender.ts';

/**
 * SmsSender over the `twilio` library's Messages API. Which host it talks to
 * (api.twilio.com or the local stand-in) is the client's httpClient's
 * business; the request timeout is the client's `timeout` option.
 */

/**
 * Twilio errors that no retry can fix, with what the application shows
 * (docs/protocols.md, §5 Messages: errors we never retry).
 */
export const PERMANENT_ERRORS: ReadonlyMap<number, string> = new Map([
  [21610, 'the number has opted out of texts (it replied STOP)'],
  [21211, 'the phone number is not a valid number'],
  [21614, 'the number cannot receive texts (it is not a mobile number)'],
]);

export type SenderIdentity = { readonly from: string } | { readonly messagingServiceSid: string };

// Enough to find a message from the last few minutes among a number's recent texts.
const LOOKUP_PAGE_SIZE = 20;
const MS_PER_SECOND = 1000;
const HTTP_REQUEST_TIMEOUT = 408;
const HTTP_TOO_MANY_REQUESTS = 429;
const HTTP_UNAVAILABLE = 503;
const HTTP_SERVER_ERROR = 500;
const HTTP_UNAUTHORIZED = 401;
const HTTP_FORBIDDEN = 403;
// Connection errors raised before a byte of the request could have reached Twilio.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EOPENBREAKER']);

export class TwilioSmsSender implements SmsSender {
  readonly #client: Twilio;
  readonly #sender: SenderIdentity;

  constructor(client: Twilio, sender: SenderIdentity) {
    this.#client = client;
    this.#sender = sender;
  }

  async send(sms: OutgoingSms): Promise<{ readonly messageSid: string }> {
    // The span says which request and which message: never to whom, never what (docs/adr/0007-tracing.md).
    return inSpan(
      'twilio messages.create',
      {},
      async (span) => {
        try {
          const message = await this.#client.messages.create({
            to: sms.to,
            body: sms.body,
            statusCallback: sms.statusCallback,
            ...this.#sender,
          });
          span.setAttribute(SPAN_ATTRIBUTES.messageSid, message.sid);
          return { messageSid: message.sid };
        } catch (error) {
          throw new SendError(classifyTwilioError(error), { cause: error });
        }
      },
      { kind: SpanKind.CLIENT },
    );
  }

  async findSent(to: string, body: string, since: Date): Promise<string | undefined> {
    return inSpan('twilio messages.list', {}, () => this.#findSent(to, body, since), { kind: SpanKind.CLIENT });
  }

  async #findSent(to: string, body: string, since: Date): Promise<string | undefined> {
    try {
      // Not dateSentAfter: Twilio fills date_sent only once a message has left its queue, so a message accepted a
      // moment ago would not match it. The newest messages to the number, filtered here by creation time, do.
      const messages = await this.#client.messages.list({ to, pageSize: LOOKUP_PAGE_SIZE, limit: LOOKUP_PAGE_SIZE });
      return messages.find(
        (m) => m.body === body && m.direction.startsWith('outbound') && m.dateCreated.getTime() >= since.getTime(),
      )?.sid;
    } catch (error) {
      throw new SendError(classifyTwilioError(error), { cause: error });
    }
  }
}

/** Sorts anything the twilio library or the network threw into what the worker should do about it. */
export function classifyTwilioError(error: unknown): SendFailure {
  const status = numberProperty(error, 'status');
  const code = numberProperty(error, 'code');
  const message = error instanceof Error ? error.message : String(error);
  if (status !== undefined) {
    if (status === HTTP_TOO_MANY_REQUESTS)
      return {
        kind: 'rate-limited',
        retryAfterMs: retryAfterMs(error),
        reason: `Twilio is limiting requests (429): ${withoutPhoneNumbers(message)}`,
      };
    // Twilio gave up waiting for the rest of our request: it cannot have taken the message, and a retry may pass.
    if (status === HTTP_REQUEST_TIMEOUT)
      return {
        kind: 'transient',
        mayHaveBeenAccepted: false,
        reason: `Twilio timed out reading the request (408): ${withoutPhoneNumbers(message)}`,
      };
    // A bad or revoked credential is ours to fix, and every row would fail the same way: let them wait instead.
    if (status === HTTP_UNAUTHORIZED || status === HTTP_FORBIDDEN)
      return {
        kind: 'transient',
        mayHaveBeenAccepted: false,
        reason: `Twilio refused our credentials (${status}): check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN`,
      };
    if (status >= HTTP_SERVER_ERROR)
      return {
        kind: 'transient',
        mayHaveBeenAccepted: status !== HTTP_UNAVAILABLE,
        reason: `Twilio answered ${status}: ${withoutPhoneNumbers(message)}`,
      };
    const known = code === undefined ? undefined : PERMANENT_ERRORS.get(code);
    return {
      kind: 'permanent',
      code,
      reason:
        known ??
        `Twilio refused the message (${status}${code === undefined ? '' : `, error ${code}`}): ${withoutPhoneNumbers(message)}`,
    };
  }
  const errorCode = stringProperty(error, 'code');
  if (errorCode !== undefined && NOT_SENT_CODES.has(errorCode))
    return { kind: 'transient', mayHaveBeenAccepted: false, reason: `could not reach Twilio (${errorCode})` };
  return {
    kind: 'transient',
    mayHaveBeenAccepted: true,
    reason: `no answer from Twilio: ${errorCode ?? withoutPhoneNumbers(message)}`,
  };
}

/** Twilio's messages quote the number ("The 'To' number +1… is not valid"); reasons are stored and logged, so it goes. */
export function withoutPhoneNumbers(text: string): string {
  return text.replace(/\+?\d[\d\s().-]{5,}\d/g, '[number]');
}

/** Retry-After as the httpClient wrapper (retry-after-client.ts) hands it on in the error's details. */
function retryAfterMs(error: unknown): number | undefined {
  const details = (error as { details?: unknown }).details;
  const seconds =
    typeof details === 'object' && details !== null
      ? Number((details as { retryAfterSeconds?: unknown }).retryAfterSeconds)
      : Number.NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * MS_PER_SECOND : undefined;
}

function numberProperty(value: unknown, key: string): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = (value as Record<string, unknown>)[key];
  return typeof v === 'number' ? v : undefined;
}

function stringProperty(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = (value as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : undefined;
}

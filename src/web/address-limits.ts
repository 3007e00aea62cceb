import { isIPv4, isIPv6 } from 'node:net';
import type { Request, RequestHandler } from 'express';
import type { Limiter } from '../limits/rate-limits.ts';
import { REVIEW_PATH_PREFIX } from '../sms/review-link.ts';
import { catalogueFor, fill } from '../permits/catalogue.ts';
import { DEFAULT_LANGUAGE, type Language } from '../permits/language.ts';
import { errorPage } from './apply-views.ts';
import type { Department } from './html.ts';
import { pageLanguage } from './page-language.ts';
import { RESUME_PATH_PREFIX } from './resume-link.ts';

/**
 * Per client address limits on the public web (`req.ip`, which honours
 * TRUST_PROXY). Mounted after the health probes, the static files and
 * Twilio's webhooks, so none of those is counted: Twilio's requests all come
 * from Twilio, and its webhooks are limited by caller instead
 * (src/call/call-admission.ts). Each request counts against one limit:
 *
 * - form posts (POST /apply and every post under it: the resumed form, a
 *   save for later, a request to text the link): each can queue a text or
 *   store an application, so the strictest;
 * - link pages (the resume link and the SMS review link);
 * - everything else (the form pages, the staff console, unknown paths).
 *
 * Over a limit the answer is 429 with Retry-After and a page that says how
 * long to wait. A request refused is not read at all, so nothing accepted
 * before it is touched.
 */

export interface AddressLimits {
  readonly formPosts: Limiter;
  readonly linkVisits: Limiter;
  readonly requests: Limiter;
}

type LimitName = keyof AddressLimits;

const HTTP_TOO_MANY_REQUESTS = 429;
const SECONDS_PER_MINUTE = 60;
// An IPv6 customer is usually given a whole /64: counting single addresses would give one person 2^64 allowances.
const IPV6_NETWORK_GROUPS = 4;
const IPV6_GROUPS = 8;
const IPV4_MAPPED = '::ffff:';

/** `department`: whose pages these are, for the refusal page's header. */
export function limitByAddress(limits: AddressLimits, department?: Department): RequestHandler {
  return (req, res, next) => {
    const name = limitFor(req);
    // Before the cookies and the body are read: the switch's query or the browser's languages decide.
    const language = pageLanguage(req);
    limits[name]
      .take(clientNetwork(req.ip ?? req.socket.remoteAddress ?? 'unknown'))
      .then((decision) => {
        if (decision.allowed) {
          next();
          return;
        }
        req.log.warn({ limit: name, retryAfterSeconds: decision.retryAfterSeconds }, 'rate limit reached');
        res
          .status(HTTP_TOO_MANY_REQUESTS)
          .set('Retry-After', String(decision.retryAfterSeconds))
          .type('html')
          .send(
            errorPage(
              HTTP_TOO_MANY_REQUESTS,
              tooManyMessage(name, decision.retryAfterSeconds, language),
              language,
              department,
            ),
          );
      })
      .catch((error: unknown) => {
        // Only a bug gets here (the limiter falls back to memory when its store fails): let the person through.
        req.log.error({ err: error, limit: name }, 'rate limit check failed; the request is let through');
        next();
      });
  };
}

function limitFor(req: Request): LimitName {
  if (req.method === 'POST' && (req.path === '/apply' || req.path.startsWith('/apply/'))) return 'formPosts';
  if (req.path.startsWith(RESUME_PATH_PREFIX) || req.path.startsWith(REVIEW_PATH_PREFIX)) return 'linkVisits';
  return 'requests';
}

/** What a person reads: how long to wait, and for a form, that it was not sent but can be sent again. */
export function tooManyMessage(
  name: LimitName,
  retryAfterSeconds: number,
  language: Language = DEFAULT_LANGUAGE,
): string {
  const t = catalogueFor(language).web;
  const minutes = Math.ceil(retryAfterSeconds / SECONDS_PER_MINUTE);
  const wait = minutes <= 1 ? t.waitOneMinute : fill(t.waitMinutes, { minutes });
  return fill(name === 'formPosts' ? t.tooManyForms : t.tooManyRequests, { wait });
}

/** The address a limit counts by: IPv4 as it is (also when written IPv4-mapped), IPv6 by its /64 network. */
export function clientNetwork(address: string): string {
  const mapped = address.toLowerCase().startsWith(IPV4_MAPPED) ? address.slice(IPV4_MAPPED.length) : '';
  if (isIPv4(mapped)) return mapped;
  const plain = address.replace(/%.*$/, '');
  if (!isIPv6(plain)) return address;
  const [head = '', tail] = plain.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : Array<string>(IPV6_GROUPS - left.length - right.length).fill('0');
  const groups = [...left, ...zeros, ...right].slice(0, IPV6_NETWORK_GROUPS);
  return `${groups.map((group) => Number.parseInt(group, 16).toString(16)).join(':')}::/64`;
}

import { REVIEW_PATH_PREFIX } from '../sms/review-link.ts';
import { RESUME_PATH_PREFIX } from './resume-link.ts';

/**
 * What the request log may say about where a request went. A path segment
 * that is a link's token (the SMS review link `/s/{token}`, the resume link
 * `/apply/resume/{token}`) opens an application to whoever has it, and a
 * query string may carry personal data (the staff search `?q=` takes phone
 * numbers, and the sign-in page's `?next=` carries that search along), so
 * both are replaced before pino-http writes a line: in the URL, the parsed
 * query, the Referer, and a redirect's Location. Query parameters keep their
 * names; only those known to hold nothing personal keep their values.
 * Request headers are logged only from an allow-list (LOGGED_HEADERS).
 */

export const REDACTED = '[redacted]';
const TOKEN = '[token]';
const TOKEN_PATH_PREFIXES = [REVIEW_PATH_PREFIX, RESUME_PATH_PREFIX];
// The form's permit type, the staff list's filters (dates and outcome) and pages, the sign-in notice, the IVR's
// step counters: words and numbers of our own, never what a person typed about themselves.
const PLAIN_QUERY_KEYS: ReadonlySet<string> = new Set([
  'type',
  'from',
  'to',
  'outcome',
  'page',
  'before',
  'signedOut',
  'round',
  'attempt',
]);
// The request headers a line keeps; every other one is left out, not redacted, so a header nobody thought of
// (a proxy's, a browser's) never reaches the log. These say what sent the request and what it was, which is what
// a request line is read for: host (against PUBLIC_BASE_URL), the client (user-agent), the body's type and size,
// what the browser asked for and in which language (the catalogues pick en or es from it), and the request id.
// Never kept: cookie (the staff session, the form's CSRF secret), authorization (METRICS_TOKEN), the Twilio
// signature, and the forwarded-for chain (client addresses).
const LOGGED_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'user-agent',
  'content-type',
  'content-length',
  'accept',
  'accept-language',
  'referer',
  'x-request-id',
]);
const QUERY_KEY = /^[A-Za-z_][\w.-]{0,39}$/;
const ORIGIN = /^[a-z][a-z\d+.-]*:\/\/[^/?#]*/i;

/** A URL, absolute or from its path, with link tokens and personal query values replaced. */
export function redactedUrl(url: string): string {
  const origin = ORIGIN.exec(url)?.[0] ?? '';
  const rest = url.slice(origin.length).replace(/#.*$/s, '');
  const queryAt = rest.indexOf('?');
  const path = queryAt === -1 ? rest : rest.slice(0, queryAt);
  const query = queryAt === -1 ? undefined : rest.slice(queryAt + 1);
  const safePath = withoutToken(path);
  return query === undefined ? origin + safePath : `${origin}${safePath}?${redactedQueryString(query)}`;
}

/** A path's token segment, the one right after a link's prefix, replaced; the rest of the path kept. */
function withoutToken(path: string): string {
  const prefix = TOKEN_PATH_PREFIXES.find((p) => path.startsWith(p) && path.length > p.length);
  if (prefix === undefined) return path;
  const end = path.indexOf('/', prefix.length);
  return `${prefix}${TOKEN}${end === -1 ? '' : path.slice(end)}`;
}

function redactedQueryString(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (PLAIN_QUERY_KEYS.has(eq === -1 ? pair : pair.slice(0, eq))) return pair;
      // A bare word is a value without a name (?3125550142), and a name that is not a name may be one too.
      if (eq === -1 || !QUERY_KEY.test(pair.slice(0, eq))) return pair === '' ? pair : REDACTED;
      return eq === pair.length - 1 ? pair : `${pair.slice(0, eq)}=${REDACTED}`;
    })
    .join('&');
}

/** pino-http's request serializer: the serialized request (url, query, params, headers) with nothing to hide left in. */
export function redactedRequest(req: { url?: unknown; query?: unknown; params?: unknown; headers?: unknown }): unknown {
  if (typeof req.url === 'string') req.url = redactedUrl(req.url);
  if (isRecord(req.query))
    req.query = Object.fromEntries(
      Object.entries(req.query).map(([key, value]) => [key, PLAIN_QUERY_KEYS.has(key) ? value : REDACTED]),
    );
  if (isRecord(req.params) && 'token' in req.params) req.params = { ...req.params, token: TOKEN };
  if (isRecord(req.headers)) req.headers = loggedHeaders(req.headers);
  return req;
}

/** Only the allow-listed headers (LOGGED_HEADERS), the Referer redacted like a URL. */
function loggedHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(headers)
      .filter(([name]) => LOGGED_HEADERS.has(name.toLowerCase()))
      .map(([name, value]) => [
        name,
        name.toLowerCase() === 'referer' && typeof value === 'string' ? redactedUrl(value) : value,
      ]),
  );
}

/** pino-http's response serializer: a redirect's Location names the page it was sent to the same way. */
export function redactedResponse(res: { headers?: unknown }): unknown {
  if (isRecord(res.headers) && typeof res.headers.location === 'string')
    res.headers = { ...res.headers, location: redactedUrl(res.headers.location) };
  return res;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

import type { RequestClient } from 'twilio';
import type BaseRequestClient from 'twilio/lib/base/RequestClient.js';

/**
 * The `twilio` library's httpClient seam, pointed at the local Twilio
 * stand-in (src/sim/twilio-stand-in.ts): every request keeps its path and
 * query but goes to `baseUrl` instead of https://api.twilio.com, so the
 * library's own request building, paging and RestException handling run
 * unchanged. Use it as `twilio(sid, token, { httpClient: asTwilioHttpClient(client) })`.
 *
 * Network failures are thrown as the library's own client (axios) throws
 * them, with the same `code`s (ECONNREFUSED, ECONNRESET, ECONNABORTED for a
 * timeout), so callers can sort errors the same way against either.
 */

type RequestOptions<TData> = BaseRequestClient.RequestOptions<TData>;
type HttpClient = Pick<RequestClient, 'request'>;
type HttpResponse<TData> = Awaited<ReturnType<RequestClient['request']>> & { body: TData };

export interface StandInHttpClientOptions {
  /** The stand-in's origin, e.g. `http://127.0.0.1:PORT`. */
  readonly baseUrl: string;
  /**
   * Used when a request names no timeout, which the library's resources
   * never do. Twilio's ClientOpts `timeout` only configures the library's own
   * client, so with an httpClient this is the timeout. Default 30 s, as theirs.
   */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
// fetch manages the connection itself and refuses to be told how.
const HOP_BY_HOP_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host']);

export class StandInHttpClient implements HttpClient {
  readonly #baseUrl: URL;
  readonly #timeoutMs: number;

  constructor(options: StandInHttpClientOptions) {
    const baseUrl = URL.parse(options.baseUrl);
    if (baseUrl === null || (baseUrl.protocol !== 'http:' && baseUrl.protocol !== 'https:')) {
      throw new TypeError(`StandInHttpClient needs an http(s) baseUrl, got ${JSON.stringify(options.baseUrl)}`);
    }
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
      throw new RangeError(`timeoutMs must be a positive number, got ${timeoutMs}`);
    this.#baseUrl = baseUrl;
    this.#timeoutMs = timeoutMs;
  }

  async request<TData>(opts: RequestOptions<TData>): Promise<HttpResponse<TData>> {
    const headers = new Headers();
    for (const [name, value] of Object.entries(opts.headers ?? {})) {
      if (!HOP_BY_HOP_HEADERS.has(name.toLowerCase())) headers.set(name, value);
    }
    const authorization = await authorizationOf(opts);
    if (authorization !== undefined) headers.set('Authorization', authorization);
    const timeoutMs = opts.timeout ?? this.#timeoutMs;
    try {
      const response = await fetch(this.#target(opts.uri, opts.params), {
        method: opts.method.toUpperCase(),
        headers,
        body:
          opts.data === undefined || opts.method === 'get'
            ? undefined
            : encodeBody(opts.data, headers.get('Content-Type')),
        redirect: opts.allowRedirects === true ? 'follow' : 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      // Like the library's client: a JSON body parsed, anything else left as text for it to deal with.
      // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- the d.ts says a Response instance, but the library's own client (RequestClient.js) returns this plain object too, and only its fields are read.
      return {
        statusCode: response.status,
        body: parseBody(text) as TData,
        headers: Object.fromEntries(response.headers),
      };
    } catch (error) {
      throw toNetworkError(error, timeoutMs);
    }
  }

  #target(uri: string, params: object | undefined): URL {
    const requested = new URL(uri);
    const target = new URL(this.#baseUrl);
    target.pathname = `${this.#baseUrl.pathname.replace(/\/$/, '')}${requested.pathname}`;
    target.search = requested.search;
    for (const [name, value] of formEntries(params ?? {})) target.searchParams.append(name, value);
    return target;
  }
}

/**
 * Twilio's ClientOpts types httpClient as its RequestClient class, whose
 * private members make it impossible for another class to satisfy; the
 * library only ever calls `request()` on it (BaseTwilio.request).
 */
export function asTwilioHttpClient(client: HttpClient): RequestClient {
  return client as RequestClient;
}

/**
 * A connection-level failure, shaped as axios reports it (message and code) so callers need not know which client they
 * have. On Error, not DependencyError: it stands in for the AxiosError the library's own client throws at this seam,
 * and the sender wraps either in a SendError, which is where `retryable` is read.
 */
export class StandInNetworkError extends Error {
  readonly code: string;

  constructor(message: string, code: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StandInNetworkError';
    this.code = code;
  }
}

function toNetworkError(error: unknown, timeoutMs: number): StandInNetworkError {
  if (error instanceof DOMException && error.name === 'TimeoutError') {
    return new StandInNetworkError(`timeout of ${timeoutMs}ms exceeded`, 'ECONNABORTED', { cause: error });
  }
  const cause: unknown = error instanceof Error ? error.cause : undefined;
  const code =
    typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string'
      ? cause.code
      : undefined;
  // undici's name for a connection closed before the answer; Node's http and axios call it ECONNRESET.
  if (code === 'UND_ERR_SOCKET') return new StandInNetworkError('socket hang up', 'ECONNRESET', { cause: error });
  const message = cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
  return new StandInNetworkError(message, code ?? 'ERR_NETWORK', { cause: error });
}

async function authorizationOf(opts: RequestOptions<unknown>): Promise<string | undefined> {
  // Truthiness, as the library's client checks: an empty password means none.
  if (opts.username && opts.password)
    return `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
  return opts.authStrategy?.getAuthString();
}

function encodeBody(data: unknown, contentType: string | null): string {
  if (contentType === 'application/json') return JSON.stringify(data);
  return new URLSearchParams(formEntries(data)).toString();
}

/** Form fields as the library's client encodes them (qs, arrayFormat "repeat"): arrays repeat the name, undefined is left out. */
function formEntries(values: unknown): [string, string][] {
  if (typeof values !== 'object' || values === null) throw new TypeError('request data and params must be objects');
  return Object.entries(values).flatMap(([name, value]: [string, unknown]) =>
    (Array.isArray(value) ? (value as unknown[]) : [value]).flatMap((item) =>
      item === undefined ? [] : [[name, formValue(name, item)] as [string, string]],
    ),
  );
}

function formValue(name: string, value: unknown): string {
  if (value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  throw new TypeError(`cannot form-encode ${name}: ${typeof value}`);
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

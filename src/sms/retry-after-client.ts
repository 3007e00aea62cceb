import type { RequestClient } from 'twilio';
import type BaseRequestClient from 'twilio/lib/base/RequestClient.js';

type RequestOptions<TData> = BaseRequestClient.RequestOptions<TData>;
type TwilioResponse<TData> =
  Awaited<ReturnType<BaseRequestClient['request']>> extends infer R ? R & { body: TData } : never;

/**
 * The twilio library turns a 429 into a RestException that keeps the body
 * but drops the response headers, and with them Retry-After. This httpClient
 * wrapper copies Retry-After into the error body's `details`, which
 * RestException does keep, so the worker can wait as long as Twilio asked.
 */

type HttpClient = Pick<RequestClient, 'request'>;

const HTTP_TOO_MANY_REQUESTS = 429;

export class RetryAfterPreservingClient implements HttpClient {
  readonly #inner: HttpClient;

  constructor(inner: HttpClient) {
    this.#inner = inner;
  }

  async request<TData>(opts: RequestOptions<TData>): Promise<TwilioResponse<TData>> {
    const response = await this.#inner.request<TData>(opts);
    if (response.statusCode !== HTTP_TOO_MANY_REQUESTS) return response;
    const seconds = retryAfterSeconds(headerValue(response.headers, 'retry-after'));
    if (seconds === undefined) return response;
    const body = parseBody(response.body);
    body.details = {
      ...(typeof body.details === 'object' && body.details !== null ? body.details : {}),
      retryAfterSeconds: seconds,
    };
    // The response is this request's own object: rewriting its body in place affects nobody else.
    // RestException parses a string body as JSON, which is what TData is on an error response.
    response.body = JSON.stringify(body) as TData;
    return response;
  }
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? String(value[0]) : String(value);
  }
  return undefined;
}

/** Retry-After is either seconds or an HTTP date. */
export function retryAfterSeconds(value: string | undefined, now: Date = new Date()): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

function parseBody(body: unknown): Record<string, unknown> {
  if (typeof body === 'object' && body !== null) return { ...(body as Record<string, unknown>) };
  if (typeof body === 'string') {
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed === 'object' && parsed !== null) return parsed as Record<string, unknown>;
    } catch {
      // Not JSON (a proxy's HTML page): keep the text as the message.
    }
    return { message: body };
  }
  return {};
}

import twilio from 'twilio';

/**
 * How the simulators post a webhook as Twilio does: form-encoded, signed
 * over the public URL (what Twilio was configured with and signs), but
 * delivered to wherever the service really listens.
 */

/** Twilio waits 15 s for a webhook before it gives up (error 11200). */
export const WEBHOOK_TIMEOUT_MS = 15_000;

export interface WebhookAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  /** Which instance answered, when a load balancer names it (SERVED_BY_HEADER); undefined otherwise. */
  readonly servedBy: string | undefined;
}

/**
 * The response header naming the instance behind a load balancer that answered (the local cluster's HAProxy sets
 * it, src/sim/cluster/haproxy-config.ts): Twilio ignores it, the cluster tests read where each part of a call ran.
 */
export const SERVED_BY_HEADER = 'x-permitline-instance';

export async function postSignedWebhook(options: {
  /** Where the request really goes. */
  readonly deliverTo: string;
  /** The URL Twilio would call, which the signature covers. */
  readonly publicUrl: string;
  readonly params: Record<string, string>;
  readonly authToken: string;
  readonly signal?: AbortSignal | undefined;
}): Promise<WebhookAnswer> {
  const timeout = AbortSignal.timeout(WEBHOOK_TIMEOUT_MS);
  const response = await fetch(options.deliverTo, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'User-Agent': 'TwilioProxy/1.1',
      'X-Twilio-Signature': twilio.getExpectedTwilioSignature(options.authToken, options.publicUrl, options.params),
    },
    body: new URLSearchParams(options.params),
    redirect: 'manual',
    signal: options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: await response.text(),
    servedBy: response.headers.get(SERVED_BY_HEADER) ?? undefined,
  };
}

import { performance } from 'node:perf_hooks';
import type { Request, RequestHandler, Response } from 'express';
import type { Counter, Histogram } from 'prom-client';
import type { ServiceMetrics, SignedWebhook } from '../ops/service-metrics.ts';

/**
 * Counts every HTTP request by the route that answered it, as written in the
 * code (`/apply/:step`, never the URL asked for: a URL carries link tokens and
 * ids, and any visitor can invent new ones), with its method and status, and
 * times it. A request no route answered (a 404, a static file) is `unmatched`
 * or `/static`, so the set of label values is the routes we wrote.
 */

export type RequestMetricsSource = Pick<ServiceMetrics, 'httpRequests' | 'httpDuration' | 'signatureFailures'>;

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const STATIC_PREFIX = '/static';
/** Where requireTwilioSignature notes which webhook it refused, for the request's own metrics. */
const REFUSED_WEBHOOK = 'refusedTwilioWebhook';

export function countRequests(metrics: RequestMetricsSource): RequestHandler {
  // Bound once per series: a request then costs two map lookups, not prom-client's label hashing.
  const counted = new Map<string, Counter.Internal>();
  const timed = new Map<string, Histogram.Internal<'route' | 'method'>>();
  const signatureFailures = new Map<SignedWebhook, Counter.Internal>();
  return (req, res, next) => {
    const startedAt = performance.now();
    res.once('finish', () => {
      const route = routeLabel(req);
      const method = METHODS.has(req.method) ? req.method : 'other';
      const status = String(res.statusCode);
      const countKey = `${route} ${method} ${status}`;
      let counter = counted.get(countKey);
      if (counter === undefined) {
        counter = metrics.httpRequests.labels(route, method, status);
        counted.set(countKey, counter);
      }
      counter.inc();
      const timeKey = `${route} ${method}`;
      let histogram = timed.get(timeKey);
      if (histogram === undefined) {
        histogram = metrics.httpDuration.labels(route, method);
        timed.set(timeKey, histogram);
      }
      histogram.observe((performance.now() - startedAt) / 1000);
      const webhook = refusedWebhookOf(res);
      if (webhook !== undefined) {
        let failures = signatureFailures.get(webhook);
        if (failures === undefined) {
          failures = metrics.signatureFailures.labels(webhook);
          signatureFailures.set(webhook, failures);
        }
        failures.inc();
      }
    });
    next();
  };
}

/**
 * The pattern of the route that answered (with its router's mount path), or `/static`, or `unmatched`: the one
 * name a request goes by in metrics and spans alike.
 */
export function routeLabel(req: Pick<Request, 'route' | 'baseUrl' | 'originalUrl'>): string {
  const route = req.route as { path?: unknown } | undefined;
  if (typeof route?.path === 'string') return `${req.baseUrl}${route.path}`;
  if (req.originalUrl.startsWith(`${STATIC_PREFIX}/`)) return STATIC_PREFIX;
  return 'unmatched';
}

/** Called by the signature check as it refuses: which of Twilio's webhooks was refused (for the metrics). */
export function noteRefusedWebhook(res: Response, webhook: SignedWebhook): void {
  res.locals[REFUSED_WEBHOOK] = webhook;
}

function refusedWebhookOf(res: Response): SignedWebhook | undefined {
  return res.locals[REFUSED_WEBHOOK] as SignedWebhook | undefined;
}

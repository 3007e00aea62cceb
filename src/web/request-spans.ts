import type { RequestHandler } from 'express';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SPAN_ATTRIBUTES, tracer } from '../ops/spans.ts';
import { routeLabel } from './request-metrics.ts';

/**
 * One server span per HTTP request, named by its route pattern (`POST /twilio/voice`, `GET /staff/calls/:callSid`):
 * never the URL as asked, whose query can hold a token or a phone number, and never a body. Twilio's webhooks add
 * their CallSid or MessageSid, which are Twilio's ids and not personal data. Made here rather than by the http and
 * express instrumentations, for the reasons in docs/adr/0007-tracing.md.
 */

const CALL_SID = /^CA[0-9a-f]{32}$/i;
const MESSAGE_SID = /^(SM|MM)[0-9a-f]{32}$/i;
const SERVER_ERROR = 500;

export function requestSpans(): RequestHandler {
  return (req, res, next) => {
    // Probes every few seconds would bury the requests worth seeing.
    if (req.path.startsWith('/health/')) {
      next();
      return;
    }
    const parent = context.active();
    const span = tracer().startSpan(
      `${req.method} unmatched`,
      { kind: SpanKind.SERVER, attributes: { [SPAN_ATTRIBUTES.method]: req.method } },
      parent,
    );
    res.once('finish', () => {
      const route = routeLabel(req);
      span.updateName(`${req.method} ${route}`);
      span.setAttribute(SPAN_ATTRIBUTES.route, route);
      span.setAttribute(SPAN_ATTRIBUTES.status, res.statusCode);
      const body = req.body as Record<string, unknown> | undefined;
      if (typeof body?.CallSid === 'string' && CALL_SID.test(body.CallSid))
        span.setAttribute(SPAN_ATTRIBUTES.callSid, body.CallSid);
      if (typeof body?.MessageSid === 'string' && MESSAGE_SID.test(body.MessageSid))
        span.setAttribute(SPAN_ATTRIBUTES.messageSid, body.MessageSid);
      if (res.statusCode >= SERVER_ERROR) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    // A request whose client went away never finishes; its span still ends.
    res.once('close', () => {
      if (!res.writableFinished) span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}

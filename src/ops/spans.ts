import {
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';

/**
 * Spans, as every layer makes them (docs/adr/0007-tracing.md): through @opentelemetry/api only, so with no SDK
 * started (OTEL_TRACES_EXPORTER=none) each one is the API's no-op. What a span may carry: ids Twilio and we
 * assign (CallSid, MessageSid, outbox row ids), names from bounded sets (tool, route, outcome) and counts. Never
 * a phone number, a name, an answer, a transcript, a text's body or a query string.
 */

const TRACER_NAME = 'permitline';

export { SpanKind, type Attributes, type Context, type Span };

/** The attribute names we use, in one place so a reader can see every one (and the privacy test checks them). */
export const SPAN_ATTRIBUTES = {
  callSid: 'twilio.call_sid',
  messageSid: 'twilio.message_sid',
  route: 'http.route',
  method: 'http.request.method',
  status: 'http.response.status_code',
  callOutcome: 'permitline.call.outcome',
  endingKind: 'permitline.call.ending',
  modelOpen: 'permitline.model.open',
  tool: 'permitline.tool.name',
  toolResult: 'permitline.tool.result',
  toolProblems: 'permitline.tool.problems',
  fieldsSaved: 'permitline.fields.saved',
  fieldsCleared: 'permitline.fields.cleared',
  statements: 'db.operation.batch.size',
  dbSystem: 'db.system.name',
  textQueued: 'permitline.sms.queued',
  outboxId: 'permitline.outbox.id',
  smsKind: 'permitline.sms.kind',
  smsOutcome: 'permitline.sms.outcome',
  errorType: 'error.type',
} as const;

// Set by src/ops/tracing.ts while an SDK is running: lets a caller skip work (a database read) that only feeds spans.
let tracingOn = false;

export function markTracing(on: boolean): void {
  tracingOn = on;
}

export function tracingIsOn(): boolean {
  return tracingOn;
}

/**
 * Asked for at each span, not kept: a tracer taken from the API before the SDK started (or from an SDK a
 * previous service in this process stopped) would stay bound to that one.
 */
export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

export interface SpanSettings {
  readonly kind?: SpanKind;
  /** The parent, when it is not the active context (a call's stored webhook context). */
  readonly parent?: Context;
}

/**
 * Runs `work` inside a new span that is active for everything it awaits (and every log line it writes), and ends
 * the span when `work` settles. A failure marks the span with the error's class name only: messages can quote
 * what a caller said.
 */
export async function inSpan<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T> | T,
  settings: SpanSettings = {},
): Promise<T> {
  const parent = settings.parent ?? context.active();
  const span = tracer().startSpan(name, { kind: settings.kind ?? SpanKind.INTERNAL, attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    markFailed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

export function markFailed(span: Span, error: unknown): void {
  const type = error instanceof Error ? error.name : typeof error;
  span.setAttribute(SPAN_ATTRIBUTES.errorType, type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
}

/** The active span's context as a W3C traceparent header, to store; undefined while tracing is off. */
export function activeTraceparent(): string | undefined {
  if (!tracingOn) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** A context whose parent is the stored traceparent (the root context when there is none, or it is not valid). */
export function contextFromTraceparent(traceparent: string | undefined): Context {
  if (traceparent === undefined) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}

// Loggers whose lines belong to a span that is not active where they are written (a call's, whose events arrive
// on socket callbacks): looked up only when no span is active.
const loggerSpans = new WeakMap<object, Span>();

/** Every line `logger` writes outside an active span carries `span`'s ids (a call's child logger: its call span). */
export function tieLoggerToSpan(logger: object, span: Span): void {
  if (span.isRecording()) loggerSpans.set(logger, span);
}

/** The trace and span id for a log line: the active span's, else the one tied to its logger; none when untraced. */
export function traceIdsFor(logger: object): { trace_id: string; span_id: string } | undefined {
  const span = trace.getActiveSpan() ?? loggerSpans.get(logger);
  if (span === undefined) return undefined;
  const ids = span.spanContext();
  return isSpanContextValid(ids) ? { trace_id: ids.traceId, span_id: ids.spanId } : undefined;
}

import { context, SpanKind, trace, type Context, type Span } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { toolResultOf, type ToolOutcome } from '../intake/permit-tools.ts';
import { contextFromTraceparent, inSpan, SPAN_ATTRIBUTES, tieLoggerToSpan, tracer, tracingIsOn } from '../ops/spans.ts';
import type { CallRepository } from '../store/call-repository.ts';
import { callOutcome, type CallEnding } from './call-ending.ts';

/**
 * The span of one call on the AI path, from the media stream's start to its end, and the spans of what happens
 * in it (model sessions, tool calls). Its parent is the voice webhook's span, read back from the call's row: the
 * stream may land seconds later, on another instance (docs/adr/0007-tracing.md). The bridge's events arrive on
 * socket callbacks, outside any active span, so what runs for the call is started in its context explicitly.
 * Nothing here is per media frame.
 */

export class CallTrace {
  readonly #span: Span;
  readonly #context: Context;
  readonly #log: Logger;

  private constructor(span: Span, parent: Context, log: Logger) {
    this.#span = span;
    this.#context = trace.setSpan(parent, span);
    this.#log = log;
  }

  /** `log`, the call's logger, then names this call's trace on every line written outside a narrower span. */
  static async start(callSid: string, calls: Pick<CallRepository, 'traceContextOf'>, log: Logger): Promise<CallTrace> {
    // Read only while tracing is on: otherwise every span is the API's no-op and the row has nothing to say.
    const parent = tracingIsOn() ? contextFromTraceparent(await calls.traceContextOf(callSid)) : context.active();
    const span = tracer().startSpan(
      'call',
      { kind: SpanKind.SERVER, attributes: { [SPAN_ATTRIBUTES.callSid]: callSid } },
      parent,
    );
    tieLoggerToSpan(log, span);
    return new CallTrace(span, parent, log);
  }

  /** Runs `work` as part of the call: the spans it starts are the call span's children. */
  within<T>(work: () => Promise<T>): Promise<T> {
    return context.with(this.#context, work);
  }

  /** A model session opened again mid-call: lost (reconnect) or near its time limit (renewal). */
  reopen<T>(why: 'lost' | 'renewal', work: () => Promise<T>): Promise<T> {
    return this.within(() => inSpan(why === 'lost' ? 'model reconnect' : 'model renewal', {}, work));
  }

  /** One of the agent's tools: its name, whether it did what was asked, how many problems it reported. */
  tool(name: string, run: () => Promise<ToolOutcome>): Promise<ToolOutcome> {
    return this.within(() =>
      inSpan(`tool ${name}`, { [SPAN_ATTRIBUTES.tool]: name }, async (span) => {
        try {
          const outcome = await run();
          const { result, problems } = toolResultOf(outcome);
          span.setAttribute(SPAN_ATTRIBUTES.toolResult, result);
          span.setAttribute(SPAN_ATTRIBUTES.toolProblems, problems);
          // Written inside the tool's span, so it names the tool's trace and span; the counts only, never values.
          this.#log.info({ tool: name, result, problems }, 'tool call');
          return outcome;
        } catch (error) {
          span.setAttribute(SPAN_ATTRIBUTES.toolResult, 'failed');
          throw error;
        }
      }),
    );
  }

  /** `submitted`: the application was submitted on this call. */
  end(ending: CallEnding, submitted: boolean): void {
    this.#span.setAttribute(SPAN_ATTRIBUTES.endingKind, ending.kind);
    this.#span.setAttribute(SPAN_ATTRIBUTES.callOutcome, callOutcome(ending, submitted));
    this.#span.end();
  }
}

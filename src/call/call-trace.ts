import { context, SpanKind, trace, type Context, type Span } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { ToolOutcome } from '../intake/permit-tools.ts';
import { contextFromTraceparent, inSpan, SPAN_ATTRIBUTES, tieLoggerToSpan, tracer, tracingIsOn } from '../ops/spans.ts';
import type { CallRepository } from '../store/call-repository.ts';
import { afterStream, type CallEnding } from './call-ending.ts';

/**
 * The span of one call on the AI path, from the media stream's start to its end, and the spans of what happens
 * in it (model sessions, tool calls). Its parent is the voice webhook's span, read back from the call's row: the
 * stream may land seconds later, on another instance (docs/adr/0007-tracing.md). The bridge's events arrive on
 * socket callbacks, outside any active span, so what runs for the call is started in its context explicitly.
 * Nothing here is per media frame.
 */

export type CallOutcome = 'submitted' | 'ivr_fallback' | 'abandoned';
export type ToolResult = 'ok' | 'invalid' | 'failed';

export class CallTrace {
  readonly #span: Span;
  readonly #context: Context;
  readonly #log: Logger;
  #submitted = false;

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
          const { result, problems } = toolResult(outcome);
          span.setAttribute(SPAN_ATTRIBUTES.toolResult, result);
          span.setAttribute(SPAN_ATTRIBUTES.toolProblems, problems);
          if (name === 'submit_application' && result === 'ok') this.#submitted = true;
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

  end(ending: CallEnding): void {
    this.#span.setAttribute(SPAN_ATTRIBUTES.endingKind, ending.kind);
    this.#span.setAttribute(SPAN_ATTRIBUTES.callOutcome, callOutcome(ending, this.#submitted));
    this.#span.end();
  }
}

/** How a call left the AI path, in the words the operators' figures use. */
export function callOutcome(ending: CallEnding, submitted: boolean): CallOutcome {
  if (submitted) return 'submitted';
  if (ending.kind === 'caller-hung-up') return 'abandoned';
  return afterStream(ending, false) === 'ivr' ? 'ivr_fallback' : 'abandoned';
}

/**
 * A tool's result from what it told the model (permit-tools.ts): refused (`ok: false`) or with problems is
 * `invalid`. Only the count of problems is kept, never their wording (it can quote the caller's answer).
 */
export function toolResult(outcome: ToolOutcome): { result: ToolResult; problems: number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(outcome.output);
  } catch {
    return { result: 'ok', problems: 0 };
  }
  const output = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const problems = Array.isArray(output.problems) ? output.problems.length : 0;
  if (output.ok === false) return { result: 'invalid', problems: Math.max(problems, 1) };
  return { result: problems > 0 ? 'invalid' : 'ok', problems };
}

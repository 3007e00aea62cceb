import type { Counter } from 'prom-client';
import { PRICE_NAMES } from '../config/config.ts';
import type { UsageTotals } from '../realtime/usage-meter.ts';
import {
  SOCKET_REFUSALS,
  TOOL_NAMES,
  TOOL_RESULTS,
  type CallAnswerPath,
  type CallOutcomeLabel,
  type ServiceMetrics,
  type SocketRefusal,
  type ToolResult,
} from '../ops/service-metrics.ts';
import { callOutcome, type CallEnding } from './call-ending.ts';

/**
 * What the AI call path reports to Prometheus, in its own words: a call
 * arrived, was answered, ended with an outcome; the agent answered after a
 * wait; a tool ran. Every labelled series is bound once here, so an event
 * costs one increment and no label lookup; no call SID or phone number is
 * ever a label (docs/observability.md).
 */

export type CallMetricsSource = Pick<
  ServiceMetrics,
  | 'callsArrived'
  | 'callsAnswered'
  | 'callsEnded'
  | 'callDuration'
  | 'agentResponse'
  | 'bargeIns'
  | 'modelReconnects'
  | 'modelRenewals'
  | 'toolCalls'
  | 'socketsRefused'
  | 'modelTokens'
  | 'modelCost'
>;

/** The models a call's usage is billed under: the conversation's, and the caller transcription's. */
export interface BilledModels {
  readonly realtime: string;
  readonly transcription: string;
}

type Increment = Pick<Counter.Internal, 'inc'>;
type TokenKind = keyof UsageTotals;
const TRANSCRIPTION_KINDS: ReadonlySet<TokenKind> = new Set(['transcription_in', 'transcription_out']);

export class CallMetrics {
  readonly #m: CallMetricsSource;
  readonly #answered: Readonly<Record<CallAnswerPath, Increment>>;
  readonly #ended: Readonly<Record<CallOutcomeLabel, Increment>>;
  readonly #tools: ReadonlyMap<string, Readonly<Record<ToolResult, Increment>>>;
  readonly #refused: Readonly<Record<SocketRefusal, Increment>>;
  readonly #tokens: ReadonlyMap<TokenKind, Increment>;
  readonly #realtimeCost: Increment;
  readonly #transcriptionCost: Increment;

  constructor(metrics: CallMetricsSource, models: BilledModels) {
    this.#m = metrics;
    this.#answered = {
      model: metrics.callsAnswered.labels('model'),
      ivr: metrics.callsAnswered.labels('ivr'),
    };
    this.#ended = {
      submitted: metrics.callsEnded.labels('submitted'),
      ivr_fallback: metrics.callsEnded.labels('ivr_fallback'),
      abandoned: metrics.callsEnded.labels('abandoned'),
      transferred: metrics.callsEnded.labels('transferred'),
    };
    this.#tools = new Map(
      TOOL_NAMES.map((tool) => [
        tool,
        Object.fromEntries(TOOL_RESULTS.map((result) => [result, metrics.toolCalls.labels(tool, result)])) as Record<
          ToolResult,
          Increment
        >,
      ]),
    );
    this.#refused = Object.fromEntries(
      SOCKET_REFUSALS.map((reason) => [reason, metrics.socketsRefused.labels(reason)]),
    ) as Record<SocketRefusal, Increment>;
    this.#tokens = new Map(
      PRICE_NAMES.map((kind) => [
        kind,
        metrics.modelTokens.labels(TRANSCRIPTION_KINDS.has(kind) ? models.transcription : models.realtime, kind),
      ]),
    );
    this.#realtimeCost = metrics.modelCost.labels(models.realtime);
    this.#transcriptionCost = metrics.modelCost.labels(models.transcription);
    for (const counter of [...this.#tokens.values(), this.#realtimeCost, this.#transcriptionCost]) counter.inc(0);
  }

  /** The first voice webhook of a call. */
  arrived(): void {
    this.#m.callsArrived.inc();
  }

  answered(path: CallAnswerPath): void {
    this.#answered[path].inc();
  }

  /** A call sent to the keypad IVR at the voice webhook (the model unavailable, or this instance full) ends its AI path there. */
  sentToIvr(): void {
    this.#answered.ivr.inc();
    this.#ended.ivr_fallback.inc();
  }

  /** The media stream could not be bridged to the model: Twilio's <Connect action> takes the caller to the IVR. */
  notConnected(): void {
    this.#ended.ivr_fallback.inc();
  }

  /** A call left the AI path; `submitted`: its application was submitted on this call. */
  ended(ending: CallEnding, submitted: boolean, durationSeconds: number): void {
    this.#ended[callOutcome(ending, submitted)].inc();
    this.#m.callDuration.observe(durationSeconds);
  }

  agentResponded(latencyMs: number): void {
    this.#m.agentResponse.observe(latencyMs / 1000);
  }

  bargeIn(): void {
    this.#m.bargeIns.inc();
  }

  /** A new model session was opened for a live call: the first was lost, or was renewed before its time limit. */
  modelReopened(why: 'lost' | 'renewal'): void {
    if (why === 'lost') this.#m.modelReconnects.inc();
    else this.#m.modelRenewals.inc();
  }

  toolRan(name: string, result: ToolResult): void {
    (this.#tools.get(name) ?? this.#tools.get('other'))?.[result].inc();
  }

  socketRefused(reason: SocketRefusal): void {
    this.#refused[reason].inc();
  }

  /** The call's usage, added once as it ends. */
  usage(totals: Readonly<UsageTotals>, costUsd: number, transcriptionCostUsd: number): void {
    for (const [kind, counter] of this.#tokens) {
      const tokens = totals[kind];
      if (tokens > 0) counter.inc(tokens);
    }
    if (costUsd - transcriptionCostUsd > 0) this.#realtimeCost.inc(costUsd - transcriptionCostUsd);
    if (transcriptionCostUsd > 0) this.#transcriptionCost.inc(transcriptionCostUsd);
  }
}

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every Prometheus metric the service exports, in one place, so the dashboard,
 * the alert rules (infrastructure/monitoring/) and docs/observability.md can be
 * checked against one list. Labels are closed sets written out here: no call
 * SID, phone number, address or free text ever becomes a label value, and each
 * series exists from the start (at 0) so a rate over it is never "no data".
 */

export const CALL_OUTCOME_LABELS = ['submitted', 'ivr_fallback', 'abandoned', 'transferred'] as const;
export type CallOutcomeLabel = (typeof CALL_OUTCOME_LABELS)[number];

/** How a call was answered at the voice webhook: connected to the model, or sent to the keypad IVR. */
export const CALL_ANSWER_PATHS = ['model', 'ivr'] as const;
export type CallAnswerPath = (typeof CALL_ANSWER_PATHS)[number];

/** ok: the tool did its job; invalid: the caller's answer was refused (told back to them); failed: our side failed. */
export const TOOL_RESULTS = ['ok', 'invalid', 'failed'] as const;
export type ToolResult = (typeof TOOL_RESULTS)[number];
export const TOOL_NAMES = [
  'update_application',
  'get_application',
  'submit_application',
  'transfer_to_person',
  'end_call',
  'other',
] as const;

/** Twilio's webhooks that carry a signature. */
export const SIGNED_WEBHOOKS = ['voice', 'call-status', 'connect-action', 'ivr', 'sms', 'sms-status'] as const;
export type SignedWebhook = (typeof SIGNED_WEBHOOKS)[number];

export const SOCKET_REFUSALS = [
  'bad-token',
  'already-streamed',
  'call-ended',
  'unknown-call',
  'too-many',
  'other',
] as const;
export type SocketRefusal = (typeof SOCKET_REFUSALS)[number];

export const SMS_FINAL_STATUSES = ['delivered', 'undelivered', 'failed', 'gave-up'] as const;
export type SmsFinalStatus = (typeof SMS_FINAL_STATUSES)[number];
export const SMS_KINDS = ['summary', 'web-link'] as const;
export type SmsKind = (typeof SMS_KINDS)[number];
/**
 * The Twilio error codes the SMS path knows by name (docs/sms-delivery.md, docs/protocols.md §5): refusals at send
 * time and the carrier failures the status callback reports. Any other code is `other`; a failure without one, `none`.
 */
export const SMS_FAILURE_CODES = ['21211', '21610', '21614', '30003', '30005', 'other', 'none'] as const;
export type SmsFailureCode = (typeof SMS_FAILURE_CODES)[number];

/** A Twilio error code as a label: one of a fixed few, so a carrier inventing codes cannot grow the series. */
export function smsFailureCodeLabel(code: number | undefined): SmsFailureCode {
  if (code === undefined) return 'none';
  const label = String(code);
  return (SMS_FAILURE_CODES as readonly string[]).includes(label) ? (label as SmsFailureCode) : 'other';
}

/**
 * What the gauges read at scrape time. Each is optional: a process wires what it has (the SMS worker has no
 * calls), and a gauge without its source stays at 0.
 */
export interface MetricSources {
  readonly liveCalls?: () => number;
  readonly modelCircuitOpen?: () => boolean;
  readonly ready?: () => Promise<boolean>;
  readonly outboxBacklog?: () => Promise<{ readonly pending: number; readonly oldestPendingSeconds: number }>;
}

const SECONDS_TO_ANSWER = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 3, 5, 8];
const CALL_SECONDS = [30, 60, 120, 180, 300, 480, 720, 1200, 1800, 3600];
const REQUEST_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export class ServiceMetrics {
  readonly registry = new Registry();
  #sources: MetricSources = {};

  readonly callsLive = this.#gauge('permitline_calls_live', 'Calls on the AI path on this instance now.', () => {
    const live = this.#sources.liveCalls;
    if (live !== undefined) this.callsLive.set(live());
  });
  readonly callsArrived = this.#counter(
    'permitline_calls_arrived_total',
    'Calls announced by the voice webhook (first request per call).',
  );
  readonly callsAnswered = this.#counter(
    'permitline_calls_answered_total',
    'Calls answered: media stream connected to the model, or handed to the keypad IVR.',
    ['path'],
    { path: CALL_ANSWER_PATHS },
  );
  readonly callsEnded = this.#counter(
    'permitline_calls_total',
    'Calls ended, by outcome: submitted, ivr_fallback, abandoned, transferred.',
    ['outcome'],
    { outcome: CALL_OUTCOME_LABELS },
  );
  readonly callDuration = new Histogram({
    name: 'permitline_call_duration_seconds',
    help: 'Length of calls on the AI path, from stream start to end.',
    buckets: CALL_SECONDS,
    registers: [this.registry],
  });
  readonly agentResponse = new Histogram({
    name: 'permitline_agent_response_seconds',
    help: 'Agent response latency: caller stops speaking to the first agent audio sent to Twilio.',
    buckets: SECONDS_TO_ANSWER,
    registers: [this.registry],
  });
  readonly bargeIns = this.#counter('permitline_barge_ins_total', 'Caller spoke over the agent and the agent stopped.');
  readonly modelReconnects = this.#counter(
    'permitline_model_reconnects_total',
    'Model sessions lost mid-call and opened again.',
  );
  readonly modelRenewals = this.#counter(
    'permitline_model_renewals_total',
    'Model sessions renewed before their time limit.',
  );
  readonly modelCircuitOpen = this.#gauge(
    'permitline_model_circuit_open',
    '1 while the model circuit is open (calls go to the IVR), else 0.',
    () => {
      const open = this.#sources.modelCircuitOpen;
      if (open !== undefined) this.modelCircuitOpen.set(open() ? 1 : 0);
    },
  );
  readonly toolCalls = this.#counter(
    'permitline_tool_calls_total',
    'Permit tool calls by tool and result.',
    ['tool', 'result'],
    {
      tool: TOOL_NAMES,
      result: TOOL_RESULTS,
    },
  );
  readonly httpRequests = this.#counter(
    'permitline_http_requests_total',
    'HTTP requests by route pattern, method and status.',
    ['route', 'method', 'status'],
  );
  readonly httpDuration = new Histogram({
    name: 'permitline_http_request_duration_seconds',
    help: 'HTTP request duration by route pattern and method.',
    labelNames: ['route', 'method'],
    buckets: REQUEST_SECONDS,
    registers: [this.registry],
  });
  readonly signatureFailures = this.#counter(
    'permitline_webhook_signature_failures_total',
    'Twilio webhooks refused with 403 for a missing or wrong signature.',
    ['webhook'],
    { webhook: SIGNED_WEBHOOKS },
  );
  readonly socketsRefused = this.#counter(
    'permitline_media_sockets_refused_total',
    'Media stream sockets refused, by reason.',
    ['reason'],
    { reason: SOCKET_REFUSALS },
  );
  readonly smsQueued = this.#counter('permitline_sms_queued_total', 'Texts queued in the outbox, by kind.', ['kind'], {
    kind: SMS_KINDS,
  });
  readonly smsFinal = this.#counter(
    'permitline_sms_final_total',
    'Texts that reached a final status (Twilio callback, or the outbox gave up).',
    ['status'],
    { status: SMS_FINAL_STATUSES },
  );
  readonly smsFailures = this.#counter(
    'permitline_sms_failures_total',
    'Failed texts by Twilio error code (codes outside the known list count as other).',
    ['code'],
    { code: SMS_FAILURE_CODES },
  );
  // Both outbox gauges come from one query; the first collected in a scrape reads it for the other.
  #backlog: Promise<{ readonly pending: number; readonly oldestPendingSeconds: number } | undefined> | undefined;
  readonly outboxPending = this.#gauge('permitline_outbox_pending', 'Texts waiting in the outbox.', async () => {
    const backlog = await this.#readBacklog();
    if (backlog !== undefined) this.outboxPending.set(backlog.pending);
  });
  readonly outboxOldestPending = this.#gauge(
    'permitline_outbox_oldest_pending_seconds',
    'Age of the oldest text waiting in the outbox (0 when none).',
    async () => {
      const backlog = await this.#readBacklog();
      if (backlog !== undefined) this.outboxOldestPending.set(backlog.oldestPendingSeconds);
    },
  );
  readonly modelTokens = this.#counter('permitline_model_tokens_total', 'Realtime model tokens by model and kind.', [
    'model',
    'kind',
  ]);
  readonly modelCost = this.#counter('permitline_model_cost_usd_total', 'Realtime model cost in US dollars by model.', [
    'model',
  ]);
  readonly ready = this.#gauge(
    'permitline_ready',
    '1 while this instance reports ready to its load balancer, else 0.',
    async () => {
      const ready = this.#sources.ready;
      if (ready !== undefined) this.ready.set((await ready()) ? 1 : 0);
    },
  );

  constructor(options: { readonly defaultMetrics?: boolean } = {}) {
    // Event-loop lag, heap, GC and CPU: the first place to look when calls sound slow.
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** Where the gauges read their values at scrape time (the composition root knows the orchestrator, the outbox…). */
  readFrom(sources: MetricSources): void {
    this.#sources = sources;
  }

  #readBacklog(): Promise<{ readonly pending: number; readonly oldestPendingSeconds: number } | undefined> {
    const read = this.#sources.outboxBacklog;
    if (read === undefined) return Promise.resolve(undefined);
    // A database that does not answer leaves the gauges at their last value rather than failing the whole scrape.
    this.#backlog ??= read()
      .catch(() => undefined)
      .finally(() => {
        this.#backlog = undefined;
      });
    return this.#backlog;
  }

  #counter<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    known: Partial<Record<L, readonly string[]>> = {},
  ): Counter<L> {
    const counter = new Counter<L>({ name, help, labelNames, registers: [this.registry] });
    for (const labels of combinations(labelNames, known)) counter.inc(labels, 0);
    return counter;
  }

  #gauge(name: string, help: string, collect?: () => void | Promise<void>): Gauge {
    return new Gauge({ name, help, registers: [this.registry], ...(collect === undefined ? {} : { collect }) });
  }
}

/** Every combination of the known values of each label, so each series is exported at 0 before it first counts. */
function combinations<L extends string>(
  labelNames: readonly L[],
  known: Partial<Record<L, readonly string[]>>,
): Record<L, string>[] {
  if (labelNames.length === 0 || labelNames.some((l) => known[l] === undefined)) return [];
  let rows: Record<string, string>[] = [{}];
  for (const label of labelNames) {
    rows = rows.flatMap((row) => (known[label] ?? []).map((value) => ({ ...row, [label]: value })));
  }
  return rows;
}

import type { Counter } from 'prom-client';
import {
  SMS_FAILURE_CODES,
  SMS_FINAL_STATUSES,
  SMS_KINDS,
  smsFailureCodeLabel,
  type ServiceMetrics,
  type SmsFailureCode,
  type SmsFinalStatus,
  type SmsKind,
} from '../ops/service-metrics.ts';

/**
 * What the SMS path reports to Prometheus: texts queued, and each text's
 * final status with, for a failure, Twilio's error code bounded to the codes
 * we know. Shared by the web service (status callbacks) and the worker
 * process (refusals at send time, and the outbox giving up).
 */

export type SmsMetricsSource = Pick<ServiceMetrics, 'smsQueued' | 'smsFinal' | 'smsFailures'>;

type Increment = Pick<Counter.Internal, 'inc'>;

export class SmsMetrics {
  readonly #queued: Readonly<Record<SmsKind, Increment>>;
  readonly #final: Readonly<Record<SmsFinalStatus, Increment>>;
  readonly #failures: Readonly<Record<SmsFailureCode, Increment>>;

  constructor(metrics: SmsMetricsSource) {
    this.#queued = bindEach(SMS_KINDS, (kind) => metrics.smsQueued.labels(kind));
    this.#final = bindEach(SMS_FINAL_STATUSES, (status) => metrics.smsFinal.labels(status));
    this.#failures = bindEach(SMS_FAILURE_CODES, (code) => metrics.smsFailures.labels(code));
  }

  queued(kind: SmsKind): void {
    this.#queued[kind].inc();
  }

  /**
   * A text reached a final status: Twilio delivered it or reported it undelivered or failed (its status callback,
   * or a refusal at send time), or the outbox gave up after every attempt. Failures also count by error code.
   */
  final(status: SmsFinalStatus, errorCode?: number): void {
    this.#final[status].inc();
    if (status !== 'delivered') this.#failures[smsFailureCodeLabel(errorCode)].inc();
  }
}

function bindEach<K extends string>(keys: readonly K[], bind: (key: K) => Increment): Record<K, Increment> {
  return Object.fromEntries(keys.map((key) => [key, bind(key)])) as Record<K, Increment>;
}

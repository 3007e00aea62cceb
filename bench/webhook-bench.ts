import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { postVoiceWebhook } from './bench-caller.ts';
import type { WebhookLoadFigures } from './bench-report.ts';
import { summarizeLatency, type LatencySummary } from './stream-ledger.ts';

/**
 * The voice webhook on its own, after a bridge run on the same process: the
 * signed POST Twilio makes when a call rings, answered with the TwiML that
 * connects the media stream. First one request at a time, then an open-loop
 * load at a fixed rate (each request leaves on schedule, whether or not the
 * earlier ones were answered, as Twilio's would). No stream follows, so each
 * of the service's answers leaves a pre-warmed model session that expires on
 * its own; the bench stops the process after this phase, so none of them
 * reaches the next run.
 */

export interface WebhookBenchOptions {
  readonly serviceUrl: string;
  readonly authToken: string;
  readonly single: number;
  readonly perSecond: number;
  readonly seconds: number;
  readonly signal: AbortSignal;
}

export interface WebhookBenchFigures {
  readonly single: LatencySummary;
  readonly singleErrors: number;
  readonly load: WebhookLoadFigures;
}

const MS_PER_S = 1000;
/** Caller numbers distinct from the bridge run's (which use call indexes from 0). */
const FIRST_CALLER_INDEX = 10_000;

export async function runWebhookBench(o: WebhookBenchOptions): Promise<WebhookBenchFigures> {
  let callIndex = FIRST_CALLER_INDEX;
  const timed = async (): Promise<{ ms: number; ok: boolean }> => {
    const startedAt = performance.now();
    const ok = await postVoiceWebhook({ ...o, callIndex: callIndex++ }).then(
      () => true,
      () => false,
    );
    return { ms: performance.now() - startedAt, ok };
  };

  const single: number[] = [];
  let singleErrors = 0;
  for (let i = 0; i < o.single && !o.signal.aborted; i += 1) {
    const { ms, ok } = await timed();
    single.push(ms);
    if (!ok) singleErrors += 1;
  }

  const total = Math.round(o.perSecond * o.seconds);
  const intervalMs = MS_PER_S / o.perSecond;
  const startedAt = performance.now();
  const answers: Promise<{ ms: number; ok: boolean }>[] = [];
  for (let i = 0; i < total && !o.signal.aborted; i += 1) {
    // Drift-free: request i leaves at start + i·interval; a late timer sends what is overdue at once.
    const waitMs = startedAt + i * intervalMs - performance.now();
    if (waitMs > 0) await sleep(waitMs);
    answers.push(timed());
  }
  const loaded = await Promise.all(answers);
  return {
    single: summarizeLatency(Float64Array.from(single)),
    singleErrors,
    load: {
      perSecond: o.perSecond,
      seconds: o.seconds,
      sent: loaded.length,
      errors: loaded.filter((a) => !a.ok).length,
      latency: summarizeLatency(Float64Array.from(loaded.map((a) => a.ms))),
    },
  };
}

import { setTimeout as sleep } from 'node:timers/promises';
import type Bottleneck from 'bottleneck';
import CircuitBreaker from 'opossum';
import pRetry, { AbortError } from 'p-retry';
import type { Logger } from 'pino';
import type { SmsConsentRepository } from '../store/sms-consent-repository.ts';
import type { ClaimedEntry, SmsOutboxRepository } from '../store/sms-outbox-repository.ts';
import { SendError, type SendFailure, type SmsSender } from './sms-sender.ts';
import type { SmsMetrics } from './sms-metrics.ts';
import { fillReviewLink } from './summary-text.ts';
import { inSpan, SPAN_ATTRIBUTES } from '../ops/spans.ts';

/**
 * Sends each SMS summary in the outbox once. Any number of workers (in the
 * service, or `npm run worker`) can run over one database: each row is
 * claimed under a lease, a request to Twilio goes out only while the lease
 * is ours, and a row with a stored message SID is never sent again. A row
 * that may already be at Twilio (an earlier attempt timed out, or its worker
 * died mid-request) is looked up there before it is sent again.
 *
 * Twilio calls go through a rate limiter (bottleneck; shared through Redis
 * when configured) and a circuit breaker (opossum): while Twilio keeps
 * failing, rows wait in the database instead of burning their attempts.
 */

export interface OutboxWorkerSettings {
  /** How long a claim lasts without renewal; longer than one request's timeout. */
  readonly leaseMs: number;
  /** How often to look for due rows when nothing woke the worker. */
  readonly pollIntervalMs: number;
  /** Rows claimed (and sent concurrently) at a time. */
  readonly batchSize: number;
  /** Requests per row before it is marked failed. */
  readonly maxAttempts: number;
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  readonly breaker: {
    /** Failures (percent of calls in the window) that open the circuit. */
    readonly errorThresholdPercent: number;
    /** Calls in the window before the percentage counts. */
    readonly volumeThreshold: number;
    /** How long the circuit stays open before one trial call. */
    readonly resetMs: number;
    readonly windowMs: number;
    /** A backstop: the request's own timeout (the twilio client's) should fire first. */
    readonly callTimeoutMs: number;
  };
}

export interface OutboxWorkerDeps {
  readonly outbox: SmsOutboxRepository;
  readonly consent: SmsConsentRepository;
  readonly sender: SmsSender;
  readonly limiter: Bottleneck;
  readonly logger: Logger;
  /** Identifies this worker in leases: unique per process and instance. */
  readonly owner: string;
  readonly statusCallbackUrl: string;
  /** The link a summary carries to its application's page. */
  readonly reviewLink: (reference: string) => string;
  readonly settings: OutboxWorkerSettings;
  /** Texts Twilio refused for good, and those the outbox gave up on (Prometheus); none without. */
  readonly metrics?: Pick<SmsMetrics, 'final'> | undefined;
  /**
   * The operator's sms-sending switch (src/store/service-switches.ts), read before every claim: while it is off
   * nothing is claimed, so texts stay pending and go out at the first poll after it is on again. Without it: on.
   */
  readonly sendingOn?: (() => Promise<boolean>) | undefined;
}

export const OPTED_OUT_REASON = 'not sent: the number opted out of texts (it replied STOP)';

// Twilio's and our clocks differ; look a little before our own start time.
const LOOKUP_CLOCK_SKEW_MS = 60_000;
const OPT_OUT_ERROR = 21610;

/** How a claimed row ended for this worker: `released` rows were given back to try later. */
export type Outcome = 'sent' | 'adopted' | 'failed' | 'released' | 'lost-lease';

/**
 * The outbox's own signals (this one and CircuitOpenError) stay on Error: they unwind p-retry inside this file and
 * are settled in #settle, so nothing answers, logs or retries them as an AppError would be.
 */
class LeaseLostError extends Error {}

export class OutboxWorker {
  readonly #deps: OutboxWorkerDeps;
  readonly #log: Logger;
  readonly #breaker: CircuitBreaker<[() => Promise<unknown>]>;
  readonly #stop = new AbortController();
  #wakeUp: (() => void) | undefined;
  #woken = false;
  #loop: Promise<void> | undefined;
  // Whether the last look found the sms-sending switch off: the log says so once when it turns, not every poll.
  #switchedOff = false;
  readonly #tally: Record<Outcome, number> = { sent: 0, adopted: 0, failed: 0, released: 0, 'lost-lease': 0 };

  constructor(deps: OutboxWorkerDeps) {
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'sms-worker', owner: deps.owner });
    const b = deps.settings.breaker;
    this.#breaker = new CircuitBreaker((task: () => Promise<unknown>) => task(), {
      timeout: b.callTimeoutMs,
      errorThresholdPercentage: b.errorThresholdPercent,
      volumeThreshold: b.volumeThreshold,
      resetTimeout: b.resetMs,
      rollingCountTimeout: b.windowMs,
      // A refused number or a rate limit says nothing about whether Twilio is up.
      errorFilter: (error: unknown) => {
        const kind = failureOf(error).kind;
        return kind === 'permanent' || kind === 'rate-limited';
      },
    });
    this.#breaker.on('open', () => {
      this.#log.error('Twilio keeps failing: circuit open, texts wait in the outbox');
    });
    this.#breaker.on('halfOpen', () => {
      this.#log.info('circuit half-open: trying Twilio again');
      this.wake();
    });
    this.#breaker.on('close', () => {
      this.#log.info('circuit closed: Twilio is answering again');
      this.wake();
    });
  }

  /** The name this worker claims rows under. */
  get owner(): string {
    return this.#deps.owner;
  }

  /** Rows this worker has handled so far, by how each ended. */
  get tally(): Readonly<Record<Outcome, number>> {
    return { ...this.#tally };
  }

  get circuit(): 'closed' | 'open' | 'half-open' {
    if (this.#breaker.halfOpen) return 'half-open';
    return this.#breaker.opened ? 'open' : 'closed';
  }

  /** Starts the loop: it runs until stop(). */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** A row was just queued: look now instead of at the next poll. */
  wake(): void {
    this.#woken = true;
    this.#wakeUp?.();
  }

  /** Finishes the rows in hand (a row waiting for a retry is given back), then resolves. */
  async stop(): Promise<void> {
    this.#stop.abort(new Error('worker stopping'));
    this.#wakeUp?.();
    await this.#loop;
    this.#breaker.shutdown();
  }

  /** Claims and handles due rows until none is left; resolves with how many were handled. For tests and one-shot runs. */
  async drain(): Promise<number> {
    let handled = 0;
    for (;;) {
      const n = await this.#runBatch();
      if (n === 0) return handled;
      handled += n;
    }
  }

  async #run(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      let handled = 0;
      try {
        handled = await this.#runBatch();
      } catch (error) {
        this.#log.error({ err: error }, 'outbox pass failed; trying again at the next poll');
      }
      if (handled === 0) await this.#idle();
    }
  }

  /** Sleeps until the next poll, a wake(), or stop(). */
  async #idle(): Promise<void> {
    if (this.#woken) {
      this.#woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.#deps.settings.pollIntervalMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wakeUp = done;
    });
    this.#wakeUp = undefined;
    this.#woken = false;
  }

  async #runBatch(): Promise<number> {
    // While the circuit is open every claim would only be given back.
    if (this.#breaker.opened || this.#stop.signal.aborted) return 0;
    if (!(await this.#sendingOn())) return 0;
    const rows = await this.#deps.outbox.claim(
      this.#deps.owner,
      this.#deps.settings.leaseMs,
      this.#deps.settings.batchSize,
    );
    const outcomes = await Promise.all(rows.map((row) => this.#attempt(row)));
    for (const outcome of outcomes) this.#tally[outcome] += 1;
    return rows.length;
  }

  async #sendingOn(): Promise<boolean> {
    const on = (await this.#deps.sendingOn?.()) ?? true;
    if (on === this.#switchedOff) {
      this.#switchedOff = !on;
      if (on) this.#log.info({ switch: 'sms-sending' }, 'the sms-sending switch is on again: sending the outbox');
      else this.#log.warn({ switch: 'sms-sending' }, 'the sms-sending switch is off: texts stay queued, unsent');
    }
    return on;
  }

  /** One attempt at one row, as a span of its own: the worker runs from a timer, outside any request. */
  #attempt(row: ClaimedEntry): Promise<Outcome> {
    return inSpan(
      'sms outbox attempt',
      { [SPAN_ATTRIBUTES.outboxId]: row.id, [SPAN_ATTRIBUTES.smsKind]: row.kind },
      async (span) => {
        const outcome = await this.#deliver(row);
        span.setAttribute(SPAN_ATTRIBUTES.smsOutcome, outcome);
        return outcome;
      },
    );
  }

  async #deliver(row: ClaimedEntry): Promise<Outcome> {
    const { outbox, consent, owner } = this.#deps;
    const log = this.#log.child({ outboxId: row.id, applicationId: row.applicationId });
    try {
      if (await consent.isOptedOut(row.toPhone)) {
        await outbox.markFailed(row.id, owner, OPTED_OUT_REASON, undefined);
        log.info('text not sent: the number opted out');
        return 'failed';
      }
      // A summary gets its review link now (the link is signed for this deployment); a web-link text is complete.
      const body =
        row.kind === 'summary' ? fillReviewLink(row.body, this.#deps.reviewLink(summaryReference(row))) : row.body;
      const { messageSid, adopted } = await this.#sendOnce(row, body, log);
      log.info(
        { messageSid, adopted },
        adopted ? 'text was already at Twilio: its SID adopted, not sent again' : 'text sent',
      );
      return adopted ? 'adopted' : 'sent';
    } catch (error) {
      return this.#settle(row, error, log);
    }
  }

  /** Sends with retries; before any send that might repeat an accepted one, asks Twilio whether it has it. */
  async #sendOnce(row: ClaimedEntry, body: string, log: Logger): Promise<{ messageSid: string; adopted: boolean }> {
    const { outbox, sender, limiter, owner, settings } = this.#deps;
    let lookFirst = row.attemptStartedAt !== undefined;
    let since =
      row.attemptStartedAt === undefined
        ? undefined
        : new Date(Date.parse(row.attemptStartedAt) - LOOKUP_CLOCK_SKEW_MS);
    return pRetry(
      async () => {
        if (this.#breaker.opened) throw new AbortError(new CircuitOpenError());
        if (lookFirst && since !== undefined) {
          const found = await this.#throughBreaker(() => sender.findSent(row.toPhone, body, since ?? new Date(0)));
          if (found !== undefined) {
            await outbox.markSent(row.id, found);
            return { messageSid: found, adopted: true };
          }
          lookFirst = false;
        }
        if (!(await outbox.beginAttempt(row.id, owner, settings.leaseMs))) throw new AbortError(new LeaseLostError());
        since ??= new Date(Date.now() - LOOKUP_CLOCK_SKEW_MS);
        try {
          const sent = await this.#throughBreaker(() =>
            limiter.schedule(() =>
              sender.send({ to: row.toPhone, body, statusCallback: this.#deps.statusCallbackUrl }),
            ),
          );
          // Stored here, inside the attempt: p-retry drops a result that arrives after stop() aborted it, and the
          // SID must not be lost with it.
          await outbox.markSent(row.id, sent.messageSid);
          return { messageSid: sent.messageSid, adopted: false };
        } catch (error) {
          const failure = failureOf(error);
          if (failure.kind === 'transient' && failure.mayHaveBeenAccepted) lookFirst = true;
          throw error;
        }
      },
      {
        retries: settings.maxAttempts - 1,
        factor: 2,
        minTimeout: settings.retryMinMs,
        maxTimeout: settings.retryMaxMs,
        randomize: true,
        signal: this.#stop.signal,
        shouldRetry: ({ error }) => mayRetry(error),
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          const failure = failureOf(error);
          log.warn(
            { attempt: attemptNumber, retriesLeft, failure: failure.kind, reason: failure.reason },
            'text not sent on this attempt',
          );
          // The backoff delay follows on top of this: Twilio's wait is a minimum.
          if (failure.kind === 'rate-limited' && failure.retryAfterMs !== undefined && retriesLeft > 0)
            await sleep(failure.retryAfterMs, undefined, { signal: this.#stop.signal });
        },
      },
    );
  }

  /** Records how a row ended when it was not sent. */
  async #settle(row: ClaimedEntry, error: unknown, log: Logger): Promise<Outcome> {
    const { outbox, consent, owner, settings } = this.#deps;
    if (error instanceof LeaseLostError) {
      log.warn('lease on the row was lost to another worker; leaving it to them');
      return 'lost-lease';
    }
    if (this.#stop.signal.aborted && (await outbox.find(row.id))?.status === 'sent') return 'sent';
    if (isCircuitOpen(error) || this.#stop.signal.aborted) {
      const retryAt = new Date(Date.now() + (this.#stop.signal.aborted ? 0 : settings.breaker.resetMs));
      await outbox.release(
        row.id,
        owner,
        retryAt,
        this.#stop.signal.aborted ? undefined : 'waiting: Twilio is unavailable',
      );
      return 'released';
    }
    const failure = failureOf(error);
    if (failure.kind === 'permanent') {
      await outbox.markFailed(row.id, owner, failure.reason, failure.code);
      this.#deps.metrics?.final('failed', failure.code);
      if (failure.code === OPT_OUT_ERROR) await consent.optOut(row.toPhone, `Twilio error ${OPT_OUT_ERROR}`);
      log.warn({ errorCode: failure.code, reason: failure.reason }, 'text not sent: Twilio refused it for good');
      return 'failed';
    }
    if (!isTwilioFailure(error)) {
      // Not Twilio's answer: our own bug or the database. Give the row back rather than fail it.
      log.error({ err: error }, 'text not sent: unexpected error; the row will be tried again');
      await outbox.release(
        row.id,
        owner,
        new Date(Date.now() + settings.retryMaxMs),
        `waiting after an error: ${String(error)}`,
      );
      return 'released';
    }
    await outbox.markFailed(
      row.id,
      owner,
      `gave up after ${settings.maxAttempts} attempts: ${failure.reason}`,
      undefined,
    );
    this.#deps.metrics?.final('gave-up');
    log.error({ reason: failure.reason }, 'text not sent: gave up after every attempt');
    return 'failed';
  }

  #throughBreaker<T>(task: () => Promise<T>): Promise<T> {
    return this.#breaker.fire(task) as Promise<T>;
  }
}

/** Ours, thrown before firing while the breaker is open; opossum's own rejection is a plain Error with this code. */
class CircuitOpenError extends Error {
  readonly code = 'EOPENBREAKER';
}

function isCircuitOpen(error: unknown): boolean {
  return error instanceof CircuitOpenError || (error as { code?: unknown } | undefined)?.code === 'EOPENBREAKER';
}

/** The breaker's own timeout: the request may still be in flight. */
function isBreakerTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === 'ETIMEDOUT';
}

/** A SendError says whether another attempt can help; anything else (a breaker timeout, the database) may. */
function mayRetry(error: unknown): boolean {
  if (isCircuitOpen(error)) return false;
  return !(error instanceof SendError) || error.retryable;
}

function isTwilioFailure(error: unknown): boolean {
  return error instanceof SendError || isBreakerTimeout(error);
}

/** A summary is queued by the submit that set the reference, so one without it is a bug worth a loud failure. */
function summaryReference(row: ClaimedEntry): string {
  if (row.reference === undefined) throw new Error(`summary ${row.id} belongs to an application with no reference`);
  return row.reference;
}

export function failureOf(error: unknown): SendFailure {
  if (error instanceof SendError) return error.failure;
  if (isBreakerTimeout(error))
    return { kind: 'transient', mayHaveBeenAccepted: true, reason: 'Twilio did not answer in time' };
  return {
    kind: 'transient',
    mayHaveBeenAccepted: true,
    reason: error instanceof Error ? error.message : String(error),
  };
}

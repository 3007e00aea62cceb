import { randomUUID } from 'node:crypto';
import type { Client } from '@libsql/client';
import type { ApplicantErasure, ErasureResult } from './applicant-erasure.ts';
import type { AuditLog } from './audit-log.ts';
import type { JobLeases } from './job-leases.ts';
import { textColumn } from './row-values.ts';

/**
 * The retention job: personal data older than the retention window is erased
 * through the same path as an applicant's erasure request, and each batch is
 * written to the audit log. What it erases, and what it keeps
 * (docs/adr/0006-retention.md):
 *
 * - drafts never submitted whose last answer, call and text are all older
 *   than the window: their personal answers, contact number and texts;
 * - calls started before the window, whatever became of their application:
 *   the caller's number, the transcript and the recording.
 *
 * Submitted applications are not touched: they are the department's record,
 * kept and disposed of under its records schedule, not by this clock.
 *
 * Safe to run anywhere at any time: a lease lets one run work at a time
 * across every instance and shell, each batch picks only what is not erased
 * yet, and erasing is idempotent; a run that stops halfway is finished by the
 * next.
 */

export interface RetentionTotals {
  readonly applications: number;
  readonly calls: number;
  readonly recordings: number;
}

export type RetentionOutcome =
  | { readonly kind: 'done'; readonly cutoff: string; readonly totals: RetentionTotals }
  /** Another run holds the lease: it erases the same records, so this one did nothing. */
  | { readonly kind: 'busy'; readonly cutoff: string; readonly heldUntil: string };

export interface RetentionRunOptions {
  readonly days: number;
  /** Who the audit log names: the service's daily run, or `cli:<OS user>` for npm run retention. */
  readonly actor: string;
  readonly sourceAddress: string;
  /** After each batch, the totals so far. */
  readonly onBatch?: (totals: RetentionTotals) => void;
  /** Stops between batches (the service is stopping); what is left is for the next run. */
  readonly signal?: AbortSignal;
}

export interface RetentionDeps {
  readonly db: Client;
  readonly erasure: ApplicantErasure;
  readonly audit: AuditLog;
  readonly leases: JobLeases;
  /** Recordings live outside the database (src/recording/call-recordings.ts). */
  readonly recordings: { erase(callSid: string): Promise<boolean> };
  readonly now?: () => Date;
  readonly batchSize?: number;
}

export const RETENTION_JOB = 'retention';
export const RETENTION_ACTION = 'retention.erased';
const DAY_MS = 86_400_000;
// Renewed after every batch; a run that died lets go after this long.
const LEASE_MS = 10 * 60_000;
// One transaction per batch: small enough to keep the write lock briefly while calls are live.
const DEFAULT_BATCH_SIZE = 100;
const NOTHING: RetentionTotals = { applications: 0, calls: 0, recordings: 0 };

export class Retention {
  readonly #deps: RetentionDeps;
  readonly #now: () => Date;
  readonly #batchSize: number;

  constructor(deps: RetentionDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
    this.#batchSize = deps.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isSafeInteger(this.#batchSize) || this.#batchSize < 1)
      throw new Error(`Retention: batchSize must be a whole number above 0, not ${this.#batchSize}`);
  }

  async run(options: RetentionRunOptions): Promise<RetentionOutcome> {
    if (!Number.isSafeInteger(options.days) || options.days < 1)
      throw new Error(`Retention: days must be a whole number above 0, not ${options.days}`);
    const cutoff = new Date(this.#now().getTime() - options.days * DAY_MS).toISOString();
    // Most runs find nothing: they only read, and take no lease.
    if (isEmpty(await this.#expired(cutoff, 1))) return { kind: 'done', cutoff, totals: NOTHING };
    const { leases } = this.#deps;
    const owner = randomUUID();
    const lease = await leases.take(RETENTION_JOB, owner, LEASE_MS);
    if (!lease.taken) return { kind: 'busy', cutoff, heldUntil: lease.heldUntil };
    let totals = NOTHING;
    try {
      while (options.signal?.aborted !== true) {
        const batch = await this.#expired(cutoff, this.#batchSize);
        if (isEmpty(batch)) break;
        const recordings = await this.#eraseBatch(batch, cutoff, options);
        totals = {
          applications: totals.applications + batch.applicationIds.length,
          calls: totals.calls + batch.callSids.length,
          recordings: totals.recordings + recordings,
        };
        options.onBatch?.(totals);
        if (!(await leases.renew(RETENTION_JOB, owner, LEASE_MS)))
          throw new Error(
            'The retention lease lapsed during the run and another run took it over; it finishes the erasure.',
          );
      }
    } finally {
      await leases.release(RETENTION_JOB, owner);
    }
    return { kind: 'done', cutoff, totals };
  }

  /** Returns how many recordings were deleted. */
  async #eraseBatch(batch: ErasureResult, cutoff: string, options: RetentionRunOptions): Promise<number> {
    // Recordings first: if the process stops between the two, the calls are not marked erased yet, and the
    // next run deletes (none left) and erases them; the other way round a recording could outlive its call.
    let recordings = 0;
    for (const callSid of batch.callSids) if (await this.#deps.recordings.erase(callSid)) recordings += 1;
    await this.#deps.erasure.eraseRecords(batch);
    await this.#deps.audit.append({
      actor: options.actor,
      action: RETENTION_ACTION,
      subject: `older than ${cutoff}`,
      sourceAddress: options.sourceAddress,
      detail: {
        applications: batch.applicationIds.length,
        calls: batch.callSids.length,
        recordings,
        retentionDays: options.days,
      },
    });
    return recordings;
  }

  /** Up to `limit` drafts and `limit` calls past the window and not erased yet, oldest first. */
  async #expired(cutoff: string, limit: number): Promise<ErasureResult> {
    const [drafts, calls] = await this.#deps.db.batch(
      [
        {
          // A draft is as old as the newest thing done with it: an answer, a call that resumed it, a text about it.
          sql: `SELECT a.id FROM applications a
                WHERE a.status = 'draft' AND a.erased_at IS NULL AND a.updated_at < ?
                  AND NOT EXISTS (SELECT 1 FROM calls c WHERE c.application_id = a.id AND c.started_at >= ?)
                  AND NOT EXISTS (SELECT 1 FROM sms_outbox o WHERE o.application_id = a.id AND o.created_at >= ?)
                ORDER BY a.updated_at LIMIT ?`,
          args: [cutoff, cutoff, cutoff, limit],
        },
        {
          sql: 'SELECT call_sid FROM calls WHERE erased_at IS NULL AND started_at < ? ORDER BY started_at LIMIT ?',
          args: [cutoff, limit],
        },
      ],
      'read',
    );
    return {
      applicationIds: (drafts?.rows ?? []).map((row) => textColumn(row, 'id')),
      callSids: (calls?.rows ?? []).map((row) => textColumn(row, 'call_sid')),
    };
  }
}

function isEmpty(records: ErasureResult): boolean {
  return records.applicationIds.length === 0 && records.callSids.length === 0;
}

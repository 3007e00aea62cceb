import { randomUUID } from 'node:crypto';
import type { Client, InValue, Row } from '@libsql/client';
import type { FieldCipher } from './field-cipher.ts';
import { optionalTextColumn, textColumn } from './row-values.ts';

/**
 * The SMS outbox as the delivery worker sees it: claiming rows under a lease,
 * recording each attempt, and the outcome. Rows are written by
 * ApplicationRepository.markSubmitted, in the submit's own transaction.
 *
 * Every state change is one conditional UPDATE, so several workers over one
 * database (processes or instances, each with its own connection) can never
 * both own a row: the database's write lock decides who wins.
 */

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

/** summary: the text after a submit (its body holds the review-link placeholder). web-link: a link to finish on the web, asked for on the phone. */
export type OutboxKind = 'summary' | 'web-link';

/** Twilio's message statuses after acceptance, in the order they can happen; a later one never gives way to an earlier one. */
export const DELIVERY_STATUS_ORDER = [
  'accepted',
  'scheduled',
  'queued',
  'sending',
  'sent',
  'receiving',
  'received',
  'delivered',
  'undelivered',
  'failed',
  'read',
  'canceled',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUS_ORDER)[number];
const DELIVERY_RANK: ReadonlyMap<string, number> = new Map(
  DELIVERY_STATUS_ORDER.map((status, i) => [status, finalRank(status, i)]),
);

/** delivered, undelivered and failed are all final: none of them replaces another, only `read` can follow `delivered`. */
function finalRank(status: DeliveryStatus, index: number): number {
  const FINAL = DELIVERY_STATUS_ORDER.indexOf('delivered');
  if (status === 'undelivered' || status === 'failed' || status === 'canceled') return FINAL;
  return index;
}

export function isDeliveryStatus(value: string): value is DeliveryStatus {
  return DELIVERY_RANK.has(value);
}

export interface OutboxEntry {
  readonly id: string;
  readonly applicationId: string;
  readonly kind: OutboxKind;
  readonly toPhone: string;
  /** A summary's body still holds the review-link placeholder, which the worker fills in. */
  readonly body: string;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly createdAt: string;
  /** Set once a request may have reached Twilio; whoever sends next must first look for that message. */
  readonly attemptStartedAt: string | undefined;
  readonly messageSid: string | undefined;
  readonly failureReason: string | undefined;
  readonly errorCode: number | undefined;
  readonly deliveryStatus: string | undefined;
}

export interface ClaimedEntry extends OutboxEntry {
  /** Undefined while the application is a draft: a web-link text is queued before any submit. */
  readonly reference: string | undefined;
}

export type DeliveryUpdate = 'recorded' | 'ignored-older' | 'unknown-message';

/** What queueing a text did: queued now, one of that kind was queued before, or the number's daily cap was reached. */
export type QueueOutcome = 'queued' | 'already-queued' | 'limit-reached';

const TEXT_CAP_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * The SQL condition under which one more text may be queued to a number: fewer than `perDay` rows to it (any
 * kind, any status, found by the keyed hash under every key) in the last 24 hours; 0 lifts the cap. It is part of
 * the INSERT itself, so every instance over the shared database keeps to one count: the database's write lock
 * orders two inserts to the same number.
 */
export function underDailyTextCap(
  hashes: readonly string[],
  perDay: number,
  now: Date,
): { readonly sql: string; readonly args: InValue[] } {
  return {
    sql: `(? = 0 OR (SELECT count(*) FROM sms_outbox WHERE to_phone_hash IN (${hashes.map(() => '?').join(', ')}) AND created_at >= ?) < ?)`,
    args: [perDay, ...hashes, new Date(now.getTime() - TEXT_CAP_WINDOW_MS).toISOString(), perDay],
  };
}

export function outboxContext(outboxId: string, column: string): string {
  return `sms_outbox/${outboxId}/${column}`;
}

export function outboxEntryFromRow(row: Row, cipher: FieldCipher): OutboxEntry {
  const id = textColumn(row, 'id');
  const errorCode = row.error_code;
  return {
    id,
    applicationId: textColumn(row, 'application_id'),
    kind: textColumn(row, 'kind') as OutboxKind,
    toPhone: cipher.decrypt(textColumn(row, 'to_phone'), outboxContext(id, 'to_phone')),
    body: cipher.decrypt(textColumn(row, 'body'), outboxContext(id, 'body')),
    status: textColumn(row, 'status') as OutboxStatus,
    attempts: Number(row.attempts),
    createdAt: textColumn(row, 'created_at'),
    attemptStartedAt: optionalTextColumn(row, 'attempt_started_at'),
    messageSid: optionalTextColumn(row, 'message_sid'),
    failureReason: optionalTextColumn(row, 'failure_reason'),
    errorCode: errorCode === null || errorCode === undefined ? undefined : Number(errorCode),
    deliveryStatus: optionalTextColumn(row, 'delivery_status'),
  };
}

export class SmsOutboxRepository {
  readonly #db: Client;
  readonly #cipher: FieldCipher;
  readonly #now: () => Date;

  constructor(db: Client, cipher: FieldCipher, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#cipher = cipher;
    this.#now = now;
  }

  /**
   * Queues a text of `kind` for an application, unless one of that kind was queued before or the number has had
   * `perDay` texts in the last 24 hours (0: no cap).
   */
  async queue(
    kind: OutboxKind,
    applicationId: string,
    toPhone: string,
    body: string,
    perDay = 0,
  ): Promise<QueueOutcome> {
    const id = randomUUID();
    const now = this.#now();
    const cap = underDailyTextCap(this.#cipher.lookupHashes(toPhone), perDay, now);
    const [inserted, existing] = await this.#db.batch(
      [
        {
          sql: `INSERT INTO sms_outbox (id, application_id, kind, to_phone, to_phone_hash, body, status, created_at, updated_at)
                SELECT ?, ?, ?, ?, ?, ?, 'pending', ?, ? WHERE ${cap.sql} ON CONFLICT (application_id, kind) DO NOTHING`,
          args: [
            id,
            applicationId,
            kind,
            this.#cipher.encrypt(toPhone, outboxContext(id, 'to_phone')),
            this.#cipher.lookupHash(toPhone),
            this.#cipher.encrypt(body, outboxContext(id, 'body')),
            now.toISOString(),
            now.toISOString(),
            ...cap.args,
          ],
        },
        {
          sql: 'SELECT count(*) AS n FROM sms_outbox WHERE application_id = ? AND kind = ?',
          args: [applicationId, kind],
        },
      ],
      'write',
    );
    if (inserted?.rowsAffected === 1) return 'queued';
    return Number(existing?.rows[0]?.n) > 0 ? 'already-queued' : 'limit-reached';
  }

  /**
   * Takes up to `limit` rows that are due: pending ones whose retry time has
   * come, and rows whose owner's lease ran out (a worker that crashed or hung).
   */
  async claim(owner: string, leaseMs: number, limit: number): Promise<ClaimedEntry[]> {
    const now = this.#now();
    const result = await this.#db.execute({
      sql: `UPDATE sms_outbox SET status = 'sending', lease_owner = ?1, lease_expires_at = ?2, updated_at = ?3
            WHERE id IN (
              SELECT id FROM sms_outbox
              WHERE (status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?3))
                 OR (status = 'sending' AND lease_expires_at < ?3)
              ORDER BY created_at LIMIT ?4)
            RETURNING *, (SELECT reference FROM applications a WHERE a.id = sms_outbox.application_id) AS reference`,
      args: [owner, new Date(now.getTime() + leaseMs).toISOString(), now.toISOString(), limit],
    });
    return result.rows.map((row) => ({
      ...outboxEntryFromRow(row, this.#cipher),
      reference: optionalTextColumn(row, 'reference'),
    }));
  }

  /**
   * Records that a request to Twilio is about to go out, and extends the
   * lease. False when the lease is no longer ours: the caller must not send.
   */
  async beginAttempt(id: string, owner: string, leaseMs: number): Promise<boolean> {
    const now = this.#now();
    const result = await this.#db.execute({
      sql: `UPDATE sms_outbox SET attempts = attempts + 1, attempt_started_at = COALESCE(attempt_started_at, ?1), lease_expires_at = ?2, updated_at = ?1
            WHERE id = ?3 AND status = 'sending' AND lease_owner = ?4`,
      args: [now.toISOString(), new Date(now.getTime() + leaseMs).toISOString(), id, owner],
    });
    return result.rowsAffected === 1;
  }

  /**
   * Twilio accepted the message. Stored whoever holds the lease now: once a
   * SID exists the row must never be sent again, and only the first SID
   * counts.
   */
  async markSent(id: string, messageSid: string): Promise<void> {
    const now = this.#now().toISOString();
    await this.#db.execute({
      sql: `UPDATE sms_outbox SET status = 'sent', message_sid = ?1, sent_at = ?2, lease_owner = NULL, lease_expires_at = NULL,
              failure_reason = NULL, error_code = NULL, updated_at = ?2
            WHERE id = ?3 AND message_sid IS NULL`,
      args: [messageSid, now, id],
    });
  }

  async markFailed(id: string, owner: string, reason: string, errorCode: number | undefined): Promise<void> {
    const now = this.#now().toISOString();
    await this.#db.execute({
      sql: `UPDATE sms_outbox SET status = 'failed', failure_reason = ?1, error_code = ?2, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?3
            WHERE id = ?4 AND status = 'sending' AND lease_owner = ?5`,
      args: [reason, errorCode ?? null, now, id, owner],
    });
  }

  /** Gives the row back to be tried again at `retryAt` (Twilio is unavailable, or this worker is stopping). */
  async release(id: string, owner: string, retryAt: Date, reason: string | undefined): Promise<void> {
    const now = this.#now().toISOString();
    await this.#db.execute({
      sql: `UPDATE sms_outbox SET status = 'pending', next_attempt_at = ?1, failure_reason = ?2, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?3
            WHERE id = ?4 AND status = 'sending' AND lease_owner = ?5`,
      args: [retryAt.toISOString(), reason ?? null, now, id, owner],
    });
  }

  /** Records what a status callback said, unless the row already has a later status (callbacks can arrive out of order). */
  async recordDeliveryStatus(
    messageSid: string,
    status: DeliveryStatus,
    errorCode: number | undefined,
  ): Promise<DeliveryUpdate> {
    const found = await this.#db.execute({
      sql: 'SELECT id, delivery_status FROM sms_outbox WHERE message_sid = ?',
      args: [messageSid],
    });
    const row = found.rows[0];
    if (row === undefined) return 'unknown-message';
    const current = optionalTextColumn(row, 'delivery_status');
    const rank = DELIVERY_RANK.get(status) ?? 0;
    if (current !== undefined && (DELIVERY_RANK.get(current) ?? 0) >= rank) return 'ignored-older';
    const result = await this.#db.execute({
      // The condition is repeated in SQL: two callbacks for one message may race.
      sql: `UPDATE sms_outbox SET delivery_status = ?1, error_code = COALESCE(?2, error_code), updated_at = ?3
            WHERE message_sid = ?4 AND (delivery_status IS NULL OR delivery_status IN (${
              lowerStatuses(rank)
                .map(() => '?')
                .join(', ') || 'NULL'
            }))`,
      args: [status, errorCode ?? null, this.#now().toISOString(), messageSid, ...lowerStatuses(rank)],
    });
    return result.rowsAffected === 1 ? 'recorded' : 'ignored-older';
  }

  async find(id: string): Promise<OutboxEntry | undefined> {
    const result = await this.#db.execute({ sql: 'SELECT * FROM sms_outbox WHERE id = ?', args: [id] });
    const row = result.rows[0];
    return row === undefined ? undefined : outboxEntryFromRow(row, this.#cipher);
  }

  /**
   * Texts waiting to go out (pending, or being sent), and how long the oldest has waited: for the metrics, read
   * at every scrape from the status index.
   */
  async backlog(): Promise<{ pending: number; oldestPendingSeconds: number }> {
    const result = await this.#db.execute(
      "SELECT count(*) AS n, min(created_at) AS oldest FROM sms_outbox WHERE status IN ('pending', 'sending')",
    );
    const row = result.rows[0];
    const oldest = row === undefined ? undefined : optionalTextColumn(row, 'oldest');
    const ageMs = oldest === undefined ? 0 : this.#now().getTime() - Date.parse(oldest);
    return { pending: Number(row?.n ?? 0), oldestPendingSeconds: Math.max(0, ageMs / 1000) };
  }

  /** How many rows are in each status: for health and the bench. */
  async countByStatus(): Promise<Record<OutboxStatus, number>> {
    const result = await this.#db.execute('SELECT status, count(*) AS n FROM sms_outbox GROUP BY status');
    const counts: Record<OutboxStatus, number> = { pending: 0, sending: 0, sent: 0, failed: 0 };
    for (const row of result.rows) counts[textColumn(row, 'status') as OutboxStatus] = Number(row.n);
    return counts;
  }
}

function lowerStatuses(rank: number): string[] {
  return [...DELIVERY_RANK].filter(([, r]) => r < rank).map(([status]) => status);
}

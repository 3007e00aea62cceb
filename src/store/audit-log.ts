import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client, Row } from '@libsql/client';
import { z } from 'zod';
import { textColumn } from './row-values.ts';

/**
 * Who did what in the staff console, append-only and hash-chained: each row
 * stores the previous row's hash and its own hash over its contents and that
 * link, so editing or removing a row breaks the chain where it happened. The
 * one-row audit_head (last seq and hash), moved in the same transaction as
 * each append, catches the removal of the newest rows, which the chain alone
 * cannot see.
 *
 * Entries hold ids, references, usernames and actions, never personal data in
 * clear: the log is kept for years and shown to every admin.
 */

export interface AuditEntry {
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  readonly sourceAddress: string;
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
}

export interface AuditRecord extends AuditEntry {
  readonly seq: number;
  readonly at: string;
  readonly prevHash: string;
  readonly hash: string;
}

export type AuditVerification =
  | { readonly ok: true; readonly entries: number }
  | {
      readonly ok: false;
      readonly entries: number;
      readonly problems: readonly { readonly seq: number; readonly problem: string }[];
    };

/** The prev_hash of row 1, and the head's hash while the log is empty. */
export const GENESIS_HASH = '0'.repeat(64);
// Changes what every hash means: a new encoding gets a new tag, never a silent change.
const HASH_FORMAT = 'permitline-audit-v1';
export const MAX_PAGE = 500;

/**
 * Appends from several processes race for the next seq. Each attempt is one
 * compare-and-swap; the loser reads the new head and tries again after a
 * short random pause, so two writers do not collide in step.
 */
const APPEND_RETRY = { attempts: 50, maxPauseMs: 5 } as const;

const detailSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

export class AuditLog {
  readonly #db: Client;
  readonly #now: () => Date;

  constructor(db: Client, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#now = now;
  }

  async append(entry: AuditEntry): Promise<AuditRecord> {
    const detail = canonicalDetail(entry.detail ?? {});
    for (let attempt = 1; attempt <= APPEND_RETRY.attempts; attempt += 1) {
      const head = await this.#head();
      const seq = head.seq + 1;
      const at = this.#now().toISOString();
      const hash = rowHash({
        seq,
        at,
        actor: entry.actor,
        action: entry.action,
        subject: entry.subject,
        sourceAddress: entry.sourceAddress,
        detail,
        prevHash: head.hash,
      });
      // Why not an interactive transaction (read the head, insert, commit): the local driver is synchronous,
      // so a second transaction in this process waiting for the write lock blocks the event loop, and with it
      // the first transaction's commit, until the busy timeout fails it. This batch holds the lock only while
      // it runs: the head moves only if it is still the one the hash was built on, and the row is inserted
      // only if the head is now ours. A seq is never used twice (primary key) and the head and row never disagree.
      const [moved] = await this.#db.batch(
        [
          {
            sql: 'UPDATE audit_head SET last_seq = ?, last_hash = ? WHERE id = 1 AND last_seq = ? AND last_hash = ?',
            args: [seq, hash, head.seq, head.hash],
          },
          {
            sql: `INSERT INTO audit_log (seq, at, actor, action, subject, source_address, detail, prev_hash, hash)
                SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE changes() = 1`,
            args: [seq, at, entry.actor, entry.action, entry.subject, entry.sourceAddress, detail, head.hash, hash],
          },
        ],
        'write',
      );
      if (moved?.rowsAffected === 1) {
        return {
          seq,
          at,
          actor: entry.actor,
          action: entry.action,
          subject: entry.subject,
          sourceAddress: entry.sourceAddress,
          detail: parseDetail(detail),
          prevHash: head.hash,
          hash,
        };
      }
      if (attempt < APPEND_RETRY.attempts) await sleep(Math.random() * APPEND_RETRY.maxPauseMs);
    }
    throw new Error(
      `Could not append to the audit log: ${APPEND_RETRY.attempts} attempts in a row lost the race for the next entry`,
    );
  }

  /** Newest first: up to `limit` entries (at most MAX_PAGE) with seq below `before`, or the newest when it is not given. */
  async page(options: { readonly before?: number; readonly limit: number }): Promise<AuditRecord[]> {
    const limit = Number.isFinite(options.limit)
      ? Math.min(Math.max(1, Math.trunc(options.limit)), MAX_PAGE)
      : MAX_PAGE;
    const result = await this.#db.execute({
      sql: 'SELECT * FROM audit_log WHERE seq < ? ORDER BY seq DESC LIMIT ?',
      args: [options.before ?? Number.MAX_SAFE_INTEGER, limit],
    });
    return result.rows.map(toRecord);
  }

  /** Walks the whole chain; problems name the row by seq (0: the head itself), in plain words. */
  async verify(): Promise<AuditVerification> {
    // One read transaction, so an append landing mid-walk cannot look like tampering.
    const [headResult, rowsResult] = await this.#db.batch(
      ['SELECT last_seq, last_hash FROM audit_head WHERE id = 1', 'SELECT * FROM audit_log ORDER BY seq'],
      'read',
    );
    const rows = rowsResult?.rows ?? [];
    const problems: { seq: number; problem: string }[] = [];
    let expectedSeq = 1;
    let previousHash = GENESIS_HASH;
    for (const row of rows) {
      const record = toStoredRow(row);
      if (record.seq > expectedSeq) {
        problems.push({ seq: expectedSeq, problem: missing(expectedSeq, record.seq) });
      } else if (record.prevHash !== previousHash) {
        problems.push({
          seq: record.seq,
          problem: `does not follow row ${record.seq - 1} (its link to that row's hash is broken: row ${record.seq - 1} was changed or replaced)`,
        });
      }
      if (rowHash(record) !== record.hash) {
        problems.push({ seq: record.seq, problem: 'edited (its hash does not match its contents)' });
      }
      expectedSeq = record.seq + 1;
      previousHash = record.hash;
    }
    const lastSeq = expectedSeq - 1;
    const headRow = headResult?.rows[0];
    if (headRow === undefined) {
      problems.push({
        seq: 0,
        problem: 'the audit head is missing, so deleting the newest rows could not be detected: it was deleted',
      });
    } else {
      const head = { seq: Number(headRow.last_seq), hash: textColumn(headRow, 'last_hash') };
      if (head.seq > lastSeq) {
        problems.push({
          seq: lastSeq + 1,
          problem: `the log ends at ${lastSeq} but the head says ${head.seq}: rows after ${lastSeq} were deleted`,
        });
      } else if (head.seq < lastSeq) {
        problems.push({
          seq: head.seq + 1,
          problem: `the head says the log ends at ${head.seq} but it goes on to ${lastSeq}: rows after ${head.seq} were added outside the audit log`,
        });
      } else if (head.hash !== previousHash) {
        problems.push({ seq: lastSeq, problem: 'replaced (the head recorded a different hash for the last row)' });
      }
    }
    return problems.length === 0 ? { ok: true, entries: rows.length } : { ok: false, entries: rows.length, problems };
  }

  async #head(): Promise<{ seq: number; hash: string }> {
    const result = await this.#db.execute('SELECT last_seq, last_hash FROM audit_head WHERE id = 1');
    const row = result.rows[0];
    if (row === undefined)
      throw new Error(
        'The audit head row is missing: the audit log cannot be appended to until `npm run audit:verify` has been looked into.',
      );
    return { seq: Number(row.last_seq), hash: textColumn(row, 'last_hash') };
  }
}

interface StoredRow {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  readonly sourceAddress: string;
  /** As stored: the hash covers this exact text. */
  readonly detail: string;
  readonly prevHash: string;
  readonly hash?: string;
}

/** JSON of an array of strings and numbers has exactly one encoding, and its escaping keeps fields apart. */
function rowHash(row: StoredRow): string {
  const fields = [
    HASH_FORMAT,
    row.seq,
    row.at,
    row.actor,
    row.action,
    row.subject,
    row.sourceAddress,
    row.detail,
    row.prevHash,
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

function canonicalDetail(detail: Readonly<Record<string, string | number | boolean>>): string {
  const entries = Object.entries(detail).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [key, value] of entries) {
    // JSON would store these as null: the entry read back would not be the entry written.
    if (typeof value === 'number' && !Number.isFinite(value))
      throw new Error(`Audit detail "${key}" must be a finite number`);
  }
  return JSON.stringify(Object.fromEntries(entries));
}

function parseDetail(text: string): Readonly<Record<string, string | number | boolean>> {
  // A row whose detail is not ours still lists; verify reports it as edited.
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {};
  }
  const parsed = detailSchema.safeParse(json);
  return parsed.success ? parsed.data : {};
}

function missing(expectedSeq: number, foundSeq: number): string {
  const gone = foundSeq - expectedSeq;
  const which = gone === 1 ? '' : `; rows ${expectedSeq} to ${foundSeq - 1} are gone`;
  return `missing (row ${expectedSeq - 1}'s successor should be ${expectedSeq}${which})`;
}

/**
 * Reads whatever is in the row, even a value of the wrong type that someone
 * wrote by hand: it then fails its hash and is reported, rather than stopping
 * the check.
 */
function toStoredRow(row: Row): StoredRow & { readonly hash: string } {
  const text = (column: string): string => {
    const value = row[column];
    return typeof value === 'string' ? value : `(not text: ${typeof value})`;
  };
  return {
    seq: Number(row.seq),
    at: text('at'),
    actor: text('actor'),
    action: text('action'),
    subject: text('subject'),
    sourceAddress: text('source_address'),
    detail: text('detail'),
    prevHash: text('prev_hash'),
    hash: text('hash'),
  };
}

function toRecord(row: Row): AuditRecord {
  const stored = toStoredRow(row);
  return { ...stored, detail: parseDetail(stored.detail) };
}

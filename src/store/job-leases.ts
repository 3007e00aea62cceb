import type { Client } from '@libsql/client';
import { optionalTextColumn } from './row-values.ts';

/**
 * Leases on jobs that any instance (or an operator's shell) may run, so that
 * one runs at a time across every process sharing the database. Taking a
 * lease is one statement, so two takers cannot both win; a lease not renewed
 * (its holder died) lapses at its expiry and the next taker gets it.
 */

export type LeaseAttempt = { readonly taken: true } | { readonly taken: false; readonly heldUntil: string };

export class JobLeases {
  readonly #db: Client;
  readonly #now: () => Date;

  constructor(db: Client, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#now = now;
  }

  /** Takes `job` for `owner` for `ttlMs`, unless someone else holds an unexpired lease on it. */
  async take(job: string, owner: string, ttlMs: number): Promise<LeaseAttempt> {
    const now = this.#now();
    const taken = await this.#db.execute({
      sql: `INSERT INTO job_leases (job, owner, expires_at) VALUES (?, ?, ?)
            ON CONFLICT (job) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
            WHERE job_leases.expires_at <= ? OR job_leases.owner = excluded.owner`,
      args: [job, owner, new Date(now.getTime() + ttlMs).toISOString(), now.toISOString()],
    });
    if (taken.rowsAffected === 1) return { taken: true };
    const held = await this.#db.execute({ sql: 'SELECT expires_at FROM job_leases WHERE job = ?', args: [job] });
    return { taken: false, heldUntil: optionalTextColumn(held.rows[0] ?? {}, 'expires_at') ?? now.toISOString() };
  }

  /** Extends a lease still held; false when it lapsed and someone else took it. */
  async renew(job: string, owner: string, ttlMs: number): Promise<boolean> {
    const result = await this.#db.execute({
      sql: 'UPDATE job_leases SET expires_at = ? WHERE job = ? AND owner = ?',
      args: [new Date(this.#now().getTime() + ttlMs).toISOString(), job, owner],
    });
    return result.rowsAffected === 1;
  }

  async release(job: string, owner: string): Promise<void> {
    await this.#db.execute({ sql: 'DELETE FROM job_leases WHERE job = ? AND owner = ?', args: [job, owner] });
  }
}

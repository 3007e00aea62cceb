import { createHash } from 'node:crypto';
import type { Client } from '@libsql/client';
import { normaliseUsername } from '../store/staff-repository.ts';

/**
 * Slows password guessing at the console's sign-in. Failures are counted in
 * the database, per account and per source address, so every instance sees
 * the same counts. An account that reaches the limit within the window is
 * locked for lockoutMs; an address gets a larger allowance (several people
 * may share an office's address) and then the same lockout.
 */

export interface ThrottleLimits {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly lockoutMs: number;
}

export type ThrottleVerdict = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

const MINUTE_MS = 60_000;
export const DEFAULT_THROTTLE_LIMITS: ThrottleLimits = Object.freeze({
  maxFailures: 5,
  windowMs: 15 * MINUTE_MS,
  lockoutMs: 15 * MINUTE_MS,
});
// One address may be an office behind one NAT: its staff together get this many times an account's failures.
const ADDRESS_ALLOWANCE = 4;

type Scope = 'account' | 'address';

export class LoginThrottle {
  readonly #db: Client;
  readonly #limits: ThrottleLimits;
  readonly #now: () => Date;

  constructor(db: Client, limits: ThrottleLimits = DEFAULT_THROTTLE_LIMITS, now: () => Date = () => new Date()) {
    if (!Number.isInteger(limits.maxFailures) || limits.maxFailures < 1)
      throw new Error('ThrottleLimits.maxFailures must be a whole number of at least 1');
    if (limits.windowMs <= 0 || limits.lockoutMs <= 0)
      throw new Error('ThrottleLimits.windowMs and lockoutMs must be positive');
    this.#db = db;
    this.#limits = limits;
    this.#now = now;
  }

  /** Ask before checking a password: a locked account or address is refused without trying it. */
  async check(username: string, sourceAddress: string): Promise<ThrottleVerdict> {
    const now = this.#now();
    const result = await this.#db.execute({
      sql: `SELECT MAX(locked_until) AS locked_until FROM staff_login_failures
            WHERE ((scope = 'account' AND subject = ?) OR (scope = 'address' AND subject = ?)) AND locked_until > ?`,
      args: [subjectOf('account', username), subjectOf('address', sourceAddress), now.toISOString()],
    });
    const lockedUntil = result.rows[0]?.locked_until;
    if (typeof lockedUntil !== 'string') return { allowed: true };
    return { allowed: false, retryAfterMs: Math.max(1, Date.parse(lockedUntil) - now.getTime()) };
  }

  /** Counts for usernames that do not exist as well: the answer must not tell a guesser which accounts are real. */
  async recordFailure(username: string, sourceAddress: string): Promise<void> {
    const now = this.#now().getTime();
    const at = new Date(now).toISOString();
    const windowOpenedAfter = new Date(now - this.#limits.windowMs).toISOString();
    const lockedUntil = new Date(now + this.#limits.lockoutMs).toISOString();
    const count = (scope: Scope, subject: string, maxFailures: number) => ({
      // One statement per counter, so failures at two instances at once are both counted. SET expressions
      // all see the row as it was: a window that has closed restarts at this failure.
      sql: `INSERT INTO staff_login_failures (scope, subject, failures, window_started_at, locked_until)
            VALUES (?1, ?2, 1, ?3, CASE WHEN 1 >= ?4 THEN ?5 END)
            ON CONFLICT (scope, subject) DO UPDATE SET
              failures = CASE WHEN window_started_at <= ?6 THEN 1 ELSE failures + 1 END,
              window_started_at = CASE WHEN window_started_at <= ?6 THEN ?3 ELSE window_started_at END,
              locked_until = CASE WHEN (CASE WHEN window_started_at <= ?6 THEN 1 ELSE failures + 1 END) >= ?4 THEN ?5 ELSE locked_until END`,
      args: [scope, subject, at, maxFailures, lockedUntil, windowOpenedAfter],
    });
    await this.#db.batch(
      [
        count('account', subjectOf('account', username), this.#limits.maxFailures),
        count('address', subjectOf('address', sourceAddress), this.#limits.maxFailures * ADDRESS_ALLOWANCE),
        // Guessed usernames would otherwise pile up: drop counters whose window and lockout are both over.
        {
          sql: 'DELETE FROM staff_login_failures WHERE window_started_at <= ? AND (locked_until IS NULL OR locked_until <= ?)',
          args: [windowOpenedAfter, at],
        },
      ],
      'write',
    );
  }

  /**
   * Clears the account's counter only. The address keeps its count: otherwise
   * one valid account would let its holder guess at every other account.
   */
  async recordSuccess(username: string): Promise<void> {
    await this.#db.execute({
      sql: "DELETE FROM staff_login_failures WHERE scope = 'account' AND subject = ?",
      args: [subjectOf('account', username)],
    });
  }
}

/** What was typed in the username box may be a password typed in the wrong box: only its hash is kept. */
function subjectOf(scope: Scope, value: string): string {
  const key = scope === 'account' ? normaliseUsername(value) : value.trim();
  return createHash('sha256').update(key).digest('hex');
}

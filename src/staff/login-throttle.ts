import { createHash } from 'node:crypto';
import type { Client } from '@libsql/client';
import { normaliseUsername } from '../store/staff-repository.ts';

/**
 * Slows password guessing at the console's sign-in. Attempts are counted in
 * the database, per account and per source address, so every instance sees
 * the same counts, and each is counted before its password is checked, so
 * sign-ins sent at once cannot all slip in before the first failure is
 * written. An account whose failures reach the limit within the window is
 * locked for lockoutMs; an address gets a larger allowance (several people
 * may share an office's address) and then the same lockout. When a lock ends,
 * the count starts again.
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

  /**
   * Takes one attempt for the account and the address, before the password is checked: one statement increments
   * both counters and reads them back, so concurrent sign-ins (at one instance or many over one database) each get
   * their own place in the count, and only the first maxFailures in a window are ever tried. An attempt stays
   * counted until recordSuccess discounts it; recordFailure only decides when the lock starts.
   */
  async attempt(username: string, sourceAddress: string): Promise<ThrottleVerdict> {
    const now = this.#now().getTime();
    const at = new Date(now).toISOString();
    const account = subjectOf('account', username);
    const address = subjectOf('address', sourceAddress);
    // SET expressions all see the row as it was. A locked row is left alone (refusals do not extend the lock);
    // a row whose window or lockout is over starts again at this attempt; any other counts it, and the attempt
    // past the limit starts the lock.
    const taken = await this.#db.execute({
      sql: `INSERT INTO staff_login_failures (scope, subject, failures, window_started_at, locked_until)
            VALUES ('account', ?1, 1, ?3, NULL), ('address', ?2, 1, ?3, NULL)
            ON CONFLICT (scope, subject) DO UPDATE SET
              failures = CASE WHEN locked_until > ?3 THEN failures
                              WHEN window_started_at <= ?4 OR locked_until IS NOT NULL THEN 1
                              ELSE failures + 1 END,
              window_started_at = CASE WHEN locked_until > ?3 THEN window_started_at
                              WHEN window_started_at <= ?4 OR locked_until IS NOT NULL THEN ?3
                              ELSE window_started_at END,
              locked_until = CASE WHEN locked_until > ?3 THEN locked_until
                              WHEN window_started_at <= ?4 OR locked_until IS NOT NULL THEN NULL
                              WHEN failures + 1 > (CASE scope WHEN 'account' THEN ?5 ELSE ?6 END) THEN ?7
                              ELSE NULL END
            RETURNING scope, locked_until`,
      args: [
        account,
        address,
        at,
        new Date(now - this.#limits.windowMs).toISOString(),
        this.#limits.maxFailures,
        this.#limits.maxFailures * ADDRESS_ALLOWANCE,
        new Date(now + this.#limits.lockoutMs).toISOString(),
      ],
    });
    const lockedUntil = (scope: Scope): number => {
      const value = taken.rows.find((row) => row.scope === scope)?.locked_until;
      return typeof value === 'string' ? Date.parse(value) : 0;
    };
    const until = Math.max(lockedUntil('account'), lockedUntil('address'));
    if (until <= now) return { allowed: true };
    // Refused by one counter: the other's attempt was never tried, so it does not count there.
    const notLocked = (['account', 'address'] as const).filter((scope) => lockedUntil(scope) <= now);
    for (const scope of notLocked) await this.#discount(scope, scope === 'account' ? account : address);
    return { allowed: false, retryAfterMs: until - now };
  }

  /**
   * The attempt taken by attempt() failed: it stays counted, and the counter that has now reached its limit is
   * locked from this failure. Counts for usernames that do not exist as well: the answer must not tell a guesser
   * which accounts are real.
   */
  async recordFailure(username: string, sourceAddress: string): Promise<void> {
    const now = this.#now().getTime();
    const at = new Date(now).toISOString();
    const windowOpenedAfter = new Date(now - this.#limits.windowMs).toISOString();
    await this.#db.batch(
      [
        {
          sql: `UPDATE staff_login_failures SET locked_until = ?5
                WHERE ((scope = 'account' AND subject = ?1) OR (scope = 'address' AND subject = ?2))
                  AND (locked_until IS NULL OR locked_until <= ?6)
                  AND failures >= (CASE scope WHEN 'account' THEN ?3 ELSE ?4 END)`,
          args: [
            subjectOf('account', username),
            subjectOf('address', sourceAddress),
            this.#limits.maxFailures,
            this.#limits.maxFailures * ADDRESS_ALLOWANCE,
            new Date(now + this.#limits.lockoutMs).toISOString(),
            at,
          ],
        },
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
   * Clears the account's counter. The address only has this attempt discounted, so it counts failures alone and
   * keeps them: otherwise one valid account would let its holder guess at every other account. Without an address
   * (a password reset on the shell) only the account is cleared.
   */
  async recordSuccess(username: string, sourceAddress?: string): Promise<void> {
    await this.#db.execute({
      sql: "DELETE FROM staff_login_failures WHERE scope = 'account' AND subject = ?",
      args: [subjectOf('account', username)],
    });
    if (sourceAddress !== undefined) await this.#discount('address', subjectOf('address', sourceAddress));
  }

  async #discount(scope: Scope, subject: string): Promise<void> {
    await this.#db.execute({
      sql: 'UPDATE staff_login_failures SET failures = failures - 1 WHERE scope = ? AND subject = ? AND failures > 0',
      args: [scope, subject],
    });
  }
}

/** What was typed in the username box may be a password typed in the wrong box: only its hash is kept. */
function subjectOf(scope: Scope, value: string): string {
  const key = scope === 'account' ? normaliseUsername(value) : value.trim();
  return createHash('sha256').update(key).digest('hex');
}

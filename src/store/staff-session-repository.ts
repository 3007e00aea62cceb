import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Client } from '@libsql/client';
import { textColumn } from './row-values.ts';
import { staffUserFromRow, type StaffUser } from './staff-repository.ts';

/**
 * Console sessions. They live in the database so that any instance can serve
 * any of them, and only a SHA-256 of each token is stored: the token is the
 * credential, and a copy of the database must not be one.
 */

export interface SessionLimits {
  /** A session unused this long ends. */
  readonly idleMs: number;
  /** A session this old ends however busy it is. */
  readonly maxAgeMs: number;
}

export type SessionCheck =
  | { readonly kind: 'active'; readonly user: StaffUser; readonly sessionId: string }
  | { readonly kind: 'expired'; readonly reason: 'idle' | 'absolute' }
  | { readonly kind: 'none' }; // unknown token, revoked, or user disabled

// 256 bits: guessing one is out of the question, so a plain (unsalted, fast) hash is enough to store it.
const TOKEN_BYTES = 32;
// Anything longer is not one of our tokens; no need to hash megabytes from a forged cookie.
const MAX_TOKEN_LENGTH = 128;

export class StaffSessionRepository {
  readonly #db: Client;
  readonly #now: () => Date;

  constructor(db: Client, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#now = now;
  }

  /** The token goes to the browser (in a cookie) and is never stored; sessionId is safe to log and audit. */
  async create(userId: string): Promise<{ readonly token: string; readonly sessionId: string }> {
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const sessionId = randomUUID();
    const at = this.#now().toISOString();
    await this.#db.execute({
      sql: 'INSERT INTO staff_sessions (id, token_hash, user_id, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)',
      args: [sessionId, tokenHash(token), userId, at, at],
    });
    return { token, sessionId };
  }

  /** On 'active' the session's idle clock restarts; an expired session is deleted, so it is reported once. */
  async check(token: string, limits: SessionLimits): Promise<SessionCheck> {
    if (token === '' || token.length > MAX_TOKEN_LENGTH) return { kind: 'none' };
    const result = await this.#db.execute({
      sql: `SELECT s.id AS session_id, s.created_at AS session_created_at, s.last_seen_at,
                   u.id, u.username, u.role, u.disabled, u.created_at
            FROM staff_sessions s JOIN staff_users u ON u.id = s.user_id WHERE s.token_hash = ?`,
      args: [tokenHash(token)],
    });
    const row = result.rows[0];
    if (row === undefined) return { kind: 'none' };
    const sessionId = textColumn(row, 'session_id');
    const now = this.#now();
    const user = staffUserFromRow(row);
    if (user.disabled) {
      await this.#delete(sessionId);
      return { kind: 'none' };
    }
    if (now.getTime() - Date.parse(textColumn(row, 'session_created_at')) >= limits.maxAgeMs) {
      await this.#delete(sessionId);
      return { kind: 'expired', reason: 'absolute' };
    }
    if (now.getTime() - Date.parse(textColumn(row, 'last_seen_at')) >= limits.idleMs) {
      await this.#delete(sessionId);
      return { kind: 'expired', reason: 'idle' };
    }
    await this.#db.execute({
      sql: 'UPDATE staff_sessions SET last_seen_at = ? WHERE id = ?',
      args: [now.toISOString(), sessionId],
    });
    return { kind: 'active', user, sessionId };
  }

  /** Signing out; an unknown token is not an error (the cookie may outlive the session). */
  async revoke(token: string): Promise<void> {
    await this.#db.execute({ sql: 'DELETE FROM staff_sessions WHERE token_hash = ?', args: [tokenHash(token)] });
  }

  /** Ends every session of a user (disabled, or password reset); returns how many there were. */
  async revokeAllOf(userId: string): Promise<number> {
    const result = await this.#db.execute({ sql: 'DELETE FROM staff_sessions WHERE user_id = ?', args: [userId] });
    return result.rowsAffected;
  }

  /**
   * Deletes sessions that can no longer be used, which `check` only does for
   * sessions someone comes back with. For a periodic sweep; returns how many.
   */
  async deleteExpired(limits: SessionLimits): Promise<number> {
    const now = this.#now().getTime();
    const result = await this.#db.execute({
      sql: 'DELETE FROM staff_sessions WHERE created_at <= ? OR last_seen_at <= ?',
      args: [new Date(now - limits.maxAgeMs).toISOString(), new Date(now - limits.idleMs).toISOString()],
    });
    return result.rowsAffected;
  }

  async #delete(sessionId: string): Promise<void> {
    await this.#db.execute({ sql: 'DELETE FROM staff_sessions WHERE id = ?', args: [sessionId] });
  }
}

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

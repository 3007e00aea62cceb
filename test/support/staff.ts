import type { Client } from '@libsql/client';
import { hashPassword } from '../../src/staff/password.ts';
import { textColumn } from '../../src/store/row-values.ts';
import { StaffRepository, type StaffRole, type StaffUser } from '../../src/store/staff-repository.ts';
import { FormClient, hiddenValue } from './form-client.ts';

/** Staff accounts and a cookie-keeping client that signs in through the real login form. */

export const ADMIN = { username: 'avery.admin', password: 'correct horse battery staple' } as const;
export const CLERK = { username: 'sam.clerk', password: 'a long clerk password 42' } as const;

export async function addStaffUser(
  db: Client,
  username: string,
  role: StaffRole,
  password: string,
): Promise<StaffUser> {
  const user = await new StaffRepository(db).add(username, role, await hashPassword(password));
  if (user === undefined) throw new Error(`staff user ${username} already exists`);
  return user;
}

/**
 * Time passes for a staff member's sessions: their last request (and their start) move `ms` into the past, in the
 * database every instance reads. A test of the idle or absolute limit then needs no sleep that a busy machine could
 * stretch past the limit before the first page loads.
 */
export async function ageStaffSessions(db: Client, username: string, ms: number): Promise<void> {
  const sessions = await db.execute({
    sql: `SELECT s.id, s.created_at, s.last_seen_at FROM staff_sessions s JOIN staff_users u ON u.id = s.user_id
          WHERE u.username = ?`,
    args: [username],
  });
  for (const row of sessions.rows) {
    const earlier = (column: string) => new Date(Date.parse(textColumn(row, column)) - ms).toISOString();
    await db.execute({
      sql: 'UPDATE staff_sessions SET created_at = ?, last_seen_at = ? WHERE id = ?',
      args: [earlier('created_at'), earlier('last_seen_at'), textColumn(row, 'id')],
    });
  }
}

type FormAnswer = Awaited<ReturnType<FormClient['post']>>;

export class StaffClient extends FormClient {
  /** Signs in; returns the login POST's answer (303 to the calls list on success). */
  async signIn(username: string, password: string): Promise<FormAnswer> {
    return (await this.readySignIn(username, password))();
  }

  /** Opens the sign-in page now and returns the post that signs in from it, to send later (many at once). */
  async readySignIn(username: string, password: string): Promise<() => Promise<FormAnswer>> {
    const form = await this.get('/staff/login');
    const csrf = hiddenValue(form.html, '_csrf');
    return () => this.post('/staff/login', { _csrf: csrf, username, password });
  }

  /** Posts a form found on `pagePath`, with that page's CSRF token. */
  async postFrom(pagePath: string, action: string, fields: Record<string, string>): Promise<FormAnswer> {
    const page = await this.get(pagePath);
    return this.post(action, { _csrf: hiddenValue(page.html, '_csrf'), ...fields });
  }
}

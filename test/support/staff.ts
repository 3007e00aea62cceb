import type { Client } from '@libsql/client';
import { hashPassword } from '../../src/staff/password.ts';
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

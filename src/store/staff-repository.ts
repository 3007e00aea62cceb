import { randomUUID } from 'node:crypto';
import type { Client, Row } from '@libsql/client';
import { UserInputError } from '../errors.ts';
import { textColumn } from './row-values.ts';

/** Staff accounts for the console: the only place that knows their SQL. */

export type StaffRole = 'staff' | 'admin';

export interface StaffUser {
  readonly id: string;
  readonly username: string;
  readonly role: StaffRole;
  readonly disabled: boolean;
  readonly createdAt: string;
}

const STAFF_ROLES: readonly string[] = ['staff', 'admin'] satisfies StaffRole[];
const USERNAME_MIN = 3;
const USERNAME_MAX = 64;
const USERNAME_CHARACTERS = /^[a-z0-9._@-]*$/;

/** Usernames compare without regard to case or surrounding spaces: "Alice " and "alice" are one account. */
export function normaliseUsername(username: string): string {
  return username.trim().toLowerCase();
}

/** Why a username cannot be used, in plain words (after normalising); undefined when it can. */
export function usernameProblem(username: string): string | undefined {
  const name = normaliseUsername(username);
  if (name.length < USERNAME_MIN || name.length > USERNAME_MAX) {
    return `A username needs ${USERNAME_MIN} to ${USERNAME_MAX} characters; "${truncate(name)}" has ${name.length}.`;
  }
  if (!USERNAME_CHARACTERS.test(name)) {
    return 'A username may contain only letters, digits and the characters . _ @ - (no spaces).';
  }
  return undefined;
}

export function isStaffRole(value: string): value is StaffRole {
  return STAFF_ROLES.includes(value);
}

export class StaffRepository {
  readonly #db: Client;
  readonly #now: () => Date;

  constructor(db: Client, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#now = now;
  }

  /** Undefined when the username is taken; throws UserInputError when it is not a valid username. */
  async add(username: string, role: StaffRole, passwordHash: string): Promise<StaffUser | undefined> {
    const problem = usernameProblem(username);
    if (problem !== undefined) throw new UserInputError(problem);
    const at = this.#now().toISOString();
    const result = await this.#db.execute({
      sql: `INSERT INTO staff_users (id, username, role, password_hash, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?)
            ON CONFLICT (username) DO NOTHING RETURNING *`,
      args: [randomUUID(), normaliseUsername(username), role, passwordHash, at, at],
    });
    const row = result.rows[0];
    return row === undefined ? undefined : staffUserFromRow(row);
  }

  /** With the password hash, for signing in; nothing else should need it. */
  async findByUsername(username: string): Promise<(StaffUser & { readonly passwordHash: string }) | undefined> {
    const result = await this.#db.execute({
      sql: 'SELECT * FROM staff_users WHERE username = ?',
      args: [normaliseUsername(username)],
    });
    const row = result.rows[0];
    return row === undefined ? undefined : { ...staffUserFromRow(row), passwordHash: textColumn(row, 'password_hash') };
  }

  async findById(id: string): Promise<StaffUser | undefined> {
    const result = await this.#db.execute({ sql: 'SELECT * FROM staff_users WHERE id = ?', args: [id] });
    const row = result.rows[0];
    return row === undefined ? undefined : staffUserFromRow(row);
  }

  async list(): Promise<StaffUser[]> {
    const result = await this.#db.execute('SELECT * FROM staff_users ORDER BY username');
    return result.rows.map(staffUserFromRow);
  }

  /** The changed user, or undefined when there is no such user. */
  async setDisabled(username: string, disabled: boolean): Promise<StaffUser | undefined> {
    return this.#update(username, 'disabled', disabled ? 1 : 0);
  }

  async setPassword(username: string, passwordHash: string): Promise<StaffUser | undefined> {
    return this.#update(username, 'password_hash', passwordHash);
  }

  async setRole(username: string, role: StaffRole): Promise<StaffUser | undefined> {
    return this.#update(username, 'role', role);
  }

  async #update(
    username: string,
    column: 'disabled' | 'password_hash' | 'role',
    value: string | number,
  ): Promise<StaffUser | undefined> {
    const result = await this.#db.execute({
      // `column` is one of three literals above, never input.
      sql: `UPDATE staff_users SET ${column} = ?, updated_at = ? WHERE username = ? RETURNING *`,
      args: [value, this.#now().toISOString(), normaliseUsername(username)],
    });
    const row = result.rows[0];
    return row === undefined ? undefined : staffUserFromRow(row);
  }
}

/** Reads a staff_users row, or a join that carries its columns under their own names. */
export function staffUserFromRow(row: Row): StaffUser {
  const role = textColumn(row, 'role');
  if (!isStaffRole(role)) throw new Error(`Unexpected staff role in the database: ${role}`);
  return {
    id: textColumn(row, 'id'),
    username: textColumn(row, 'username'),
    role,
    disabled: Number(row.disabled) === 1,
    createdAt: textColumn(row, 'created_at'),
  };
}

function truncate(text: string): string {
  return text.length > 20 ? `${text.slice(0, 20)}…` : text;
}

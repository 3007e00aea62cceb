import { createInterface } from 'node:readline/promises';
import type { Client } from '@libsql/client';
import { loadConfig } from '../config/config.ts';
import { LoginThrottle } from '../staff/login-throttle.ts';
import { hashPassword, passwordProblem } from '../staff/password.ts';
import { AuditLog } from '../store/audit-log.ts';
import { openDatabase } from '../store/database.ts';
import { migrate } from '../store/migrations.ts';
import { EXIT, operatingSystemUser, parseCommandLine, plural, UsageError } from './operator.ts';
import { PasswordPrompt, PromptCancelled, type TerminalInput } from './password-prompt.ts';
import {
  isStaffRole,
  StaffRepository,
  usernameProblem,
  type StaffRole,
  type StaffUser,
} from '../store/staff-repository.ts';
import { StaffSessionRepository } from '../store/staff-session-repository.ts';

/**
 * npm run staff -- <command>: staff console accounts from the server's shell.
 * There are no default credentials; the first admin is made here. Every change
 * is written to the audit log as `cli:<OS user>` from `local`.
 */

const USAGE = `Usage: npm run staff -- <command>
  add <username> --role staff|admin   create an account; the password is read from standard input
                                      (on a terminal it is asked for twice, not shown)
  disable <username>                  stop someone signing in and end their sessions
  enable <username>                   let a disabled account sign in again
  reset-password <username>           set a new password (read as for add) and end their sessions
  list                                every account with its role, status and creation date`;

const SOURCE_ADDRESS = 'local';

type Command =
  | { readonly name: 'add'; readonly username: string; readonly role: StaffRole }
  | { readonly name: 'disable' | 'enable' | 'reset-password'; readonly username: string }
  | { readonly name: 'list' };

// On Error, not AppError: it only picks main()'s exit code.
/** We understood, and say no (or could not): exit 1 with a message that says what to do next. */
class Refusal extends Error {}

interface Context {
  readonly users: StaffRepository;
  readonly sessions: StaffSessionRepository;
  readonly throttle: LoginThrottle;
  readonly audit: AuditLog;
  readonly actor: string;
  /** At a terminal, for a command that asks for a password: open (echo off) from the start of the command. */
  readonly prompt: PasswordPrompt | undefined;
}

async function main(argv: readonly string[]): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  const loaded = loadConfig(process.env);
  if (!loaded.ok) {
    process.stderr.write(`${loaded.error.message}\n`);
    return EXIT.refused;
  }
  let db: Client | undefined;
  // Echo off before the database is opened: a password typed while it opens is neither shown nor lost.
  const prompt =
    (command.name === 'add' || command.name === 'reset-password') && process.stdin.isTTY
      ? new PasswordPrompt(process.stdin as TerminalInput, process.stderr)
      : undefined;
  try {
    db = await openDatabase(loaded.config.database);
    await migrate(db);
    const context: Context = {
      users: new StaffRepository(db),
      sessions: new StaffSessionRepository(db),
      throttle: new LoginThrottle(db),
      audit: new AuditLog(db),
      actor: `cli:${operatingSystemUser()}`,
      prompt,
    };
    await run(command, context);
    return EXIT.ok;
  } catch (error) {
    const message =
      error instanceof Refusal
        ? error.message
        : `staff ${command.name} failed: ${error instanceof Error ? error.message : String(error)}`;
    process.stderr.write(`${message}\n`);
    return EXIT.refused;
  } finally {
    prompt?.close();
    db?.close();
  }
}

function parseCommand(argv: readonly string[]): Command {
  const parsed = parseCommandLine(argv, { role: { type: 'string' } });
  const [name, username, ...extra] = parsed.positionals;
  const role = parsed.values.role;
  if (name === undefined) throw new UsageError('Which command?');
  if (name === 'list') {
    if (username !== undefined || role !== undefined) throw new UsageError('list takes no username or options.');
    return { name };
  }
  if (name !== 'add' && name !== 'disable' && name !== 'enable' && name !== 'reset-password')
    throw new UsageError(`There is no command "${name}".`);
  if (username === undefined) throw new UsageError(`${name} needs a username.`);
  if (extra.length > 0) throw new UsageError(`${name} takes one username; also given: ${extra.join(' ')}.`);
  if (name !== 'add') {
    if (role !== undefined) throw new UsageError(`${name} does not take --role.`);
    return { name, username };
  }
  if (role === undefined || !isStaffRole(role)) throw new UsageError('add needs --role staff or --role admin.');
  return { name, username, role };
}

async function run(command: Command, context: Context): Promise<void> {
  switch (command.name) {
    case 'add':
      return add(command.username, command.role, context);
    case 'disable':
    case 'enable':
      return setDisabled(command.username, command.name === 'disable', context);
    case 'reset-password':
      return resetPassword(command.username, context);
    case 'list':
      return list(context);
  }
}

async function add(username: string, role: StaffRole, context: Context): Promise<void> {
  const problem = usernameProblem(username);
  if (problem !== undefined) throw new Refusal(`${problem} Nothing was changed.`);
  const taken = `There is already a staff user named ${username}; use reset-password to change their password.`;
  // Asked before the password, so nobody types one for an account that cannot be made.
  if ((await context.users.findByUsername(username)) !== undefined) throw new Refusal(taken);
  const password = await readNewPassword(context.prompt);
  const user = await context.users.add(username, role, await hashPassword(password));
  if (user === undefined) throw new Refusal(taken);
  await audited(context, user, 'staff.add', { role });
  say(`Added ${user.username} (${user.role}). They can sign in to the staff console now.`);
}

async function setDisabled(username: string, disabled: boolean, context: Context): Promise<void> {
  const existing = await existingUser(username, context);
  const state = disabled ? 'disabled' : 'enabled';
  if (existing.disabled === disabled) {
    say(`${existing.username} is already ${state}; nothing was changed.`);
    return;
  }
  const user = await context.users.setDisabled(username, disabled);
  if (user === undefined) throw new Refusal(noSuchUser(username));
  if (!disabled) {
    await audited(context, user, 'staff.enable', {});
    say(`Enabled ${user.username}: they can sign in again.`);
    return;
  }
  const sessionsEnded = await context.sessions.revokeAllOf(user.id);
  await audited(context, user, 'staff.disable', { sessionsEnded });
  say(`Disabled ${user.username} and ended ${plural(sessionsEnded, 'session')}.`);
}

async function resetPassword(username: string, context: Context): Promise<void> {
  await existingUser(username, context);
  const password = await readNewPassword(context.prompt);
  const user = await context.users.setPassword(username, await hashPassword(password));
  if (user === undefined) throw new Refusal(noSuchUser(username));
  const sessionsEnded = await context.sessions.revokeAllOf(user.id);
  // Whoever asked for the reset wants them able to sign in now, not after a lockout.
  await context.throttle.recordSuccess(user.username);
  await audited(context, user, 'staff.reset-password', { sessionsEnded });
  say(`Set a new password for ${user.username} and ended ${plural(sessionsEnded, 'session')}.`);
  if (user.disabled)
    say(`${user.username} is still disabled: npm run staff -- enable ${user.username} lets them sign in.`);
}

async function list(context: Context): Promise<void> {
  const users = await context.users.list();
  if (users.length === 0) {
    say('There are no staff users yet. Create the first admin with: npm run staff -- add <username> --role admin');
    return;
  }
  const rows = [
    ['USERNAME', 'ROLE', 'STATUS', 'CREATED'],
    ...users.map((u) => [u.username, u.role, u.disabled ? 'disabled' : 'enabled', u.createdAt.slice(0, 10)]),
  ];
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  for (const row of rows)
    say(
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    );
}

async function existingUser(username: string, context: Context): Promise<StaffUser> {
  const user = await context.users.findByUsername(username);
  if (user === undefined) throw new Refusal(noSuchUser(username));
  return user;
}

async function audited(
  context: Context,
  user: StaffUser,
  action: string,
  detail: Readonly<Record<string, string | number>>,
): Promise<void> {
  try {
    await context.audit.append({
      actor: context.actor,
      action,
      subject: `user:${user.id}`,
      sourceAddress: SOURCE_ADDRESS,
      detail: { username: user.username, ...detail },
    });
  } catch (error) {
    throw new Refusal(
      `The change to ${user.username} was made, but its audit entry could not be written (${error instanceof Error ? error.message : String(error)}). Run npm run audit:verify and record this change by hand.`,
    );
  }
}

function noSuchUser(username: string): string {
  return `There is no staff user named ${username}; npm run staff -- list shows who there is.`;
}

/** Piped: the first line of standard input. On a terminal: asked twice without echo, and both must match. */
async function readNewPassword(prompt: PasswordPrompt | undefined): Promise<string> {
  if (prompt === undefined) {
    const line = await firstLineOfInput();
    if (line === undefined || line === '') {
      throw new Refusal(
        `No password on standard input; nothing was changed. Run the command at a terminal to be asked for one, or pipe it in: printf '%s\\n' "$PASSWORD" | npm run staff -- …`,
      );
    }
    refuseWeak(line);
    return line;
  }
  const password = await askWithoutEcho(prompt, 'New password: ');
  refuseWeak(password);
  const again = await askWithoutEcho(prompt, 'The same password again: ');
  // eslint-disable-next-line security/detect-possible-timing-attacks -- two entries typed by the same person at this terminal, not a secret check
  if (again !== password) {
    throw new Refusal('The two passwords do not match; nothing was changed. Run the command again.');
  }
  return password;
}

function refuseWeak(password: string): void {
  const problem = passwordProblem(password);
  if (problem !== undefined) throw new Refusal(`${problem} Nothing was changed.`);
}

async function firstLineOfInput(): Promise<string | undefined> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  try {
    for await (const line of lines) return line;
    return undefined;
  } finally {
    lines.close();
    // Whoever piped the password may keep the pipe open; the rest of it is not ours to wait for.
    process.stdin.destroy();
  }
}

async function askWithoutEcho(prompt: PasswordPrompt, question: string): Promise<string> {
  try {
    return await prompt.ask(question);
  } catch (error) {
    if (error instanceof PromptCancelled) throw new Refusal('Cancelled; nothing was changed.');
    throw error;
  }
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

process.exitCode = await main(process.argv.slice(2));

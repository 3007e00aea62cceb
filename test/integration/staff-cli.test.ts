import { userInfo } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/staff/password.ts';
import { AuditLog } from '../../src/store/audit-log.ts';
import { openDatabase } from '../../src/store/database.ts';
import { StaffRepository } from '../../src/store/staff-repository.ts';
import { StaffSessionRepository } from '../../src/store/staff-session-repository.ts';
import { runNode, STAFF_CLI, type Finished } from '../support/cli.ts';
import { TEST_KEY_A } from '../support/keys.ts';
import { tempDatabaseFile } from '../support/service.ts';

/** `npm run staff -- …` as an operator runs it, with the password piped in. */
const PASSWORD = 'lemon squeezy autumn harbour';
const SESSION_LIMITS = { idleMs: 60_000, maxAgeMs: 3_600_000 };

let file: ReturnType<typeof tempDatabaseFile>;

beforeEach(() => {
  file = tempDatabaseFile();
});
afterEach(() => {
  file.cleanup();
});

function staff(args: readonly string[], stdin = ''): Promise<Finished> {
  return runNode([STAFF_CLI, ...args], { DATABASE_URL: file.url, NODE_ENV: 'test', DATA_KEYS: TEST_KEY_A }, stdin);
}

/** The database as the service would see it after the command. */
async function inDatabase<T>(read: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const db = await openDatabase({ url: file.url });
  try {
    return await read(db);
  } finally {
    db.close();
  }
}

function auditTrail() {
  return inDatabase(async (db) => (await new AuditLog(db).page({ limit: 50 })).reverse());
}

describe('npm run staff', () => {
  it('when an admin is added with the password on stdin, then they exist with a working password and one audit entry by the OS user', async () => {
    const result = await staff(['add', 'Dana.Ortiz', '--role', 'admin'], `${PASSWORD}\n`);

    expect(result).toEqual({
      code: 0,
      stdout: 'Added dana.ortiz (admin). They can sign in to the staff console now.\n',
      stderr: '',
    });
    const user = await inDatabase((db) => new StaffRepository(db).findByUsername('dana.ortiz'));
    expect(user).toMatchObject({ username: 'dana.ortiz', role: 'admin', disabled: false });
    expect(await verifyPassword(PASSWORD, user!.passwordHash)).toBe(true);
    const trail = await auditTrail();
    expect(trail).toEqual([
      expect.objectContaining({
        seq: 1,
        actor: `cli:${userInfo().username}`,
        action: 'staff.add',
        subject: `user:${user!.id}`,
        sourceAddress: 'local',
        detail: { username: 'dana.ortiz', role: 'admin' },
      }),
    ]);
    expect(JSON.stringify(trail)).not.toContain(PASSWORD);
  });

  it('when users are listed, then each shows name, role, status and created date, and no hash', async () => {
    await staff(['add', 'dana.ortiz', '--role', 'admin'], `${PASSWORD}\n`);
    await staff(['add', 'lee', '--role', 'staff'], `${PASSWORD}\n`);
    await staff(['disable', 'lee']);
    const today = new Date().toISOString().slice(0, 10);

    const result = await staff(['list']);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'USERNAME    ROLE   STATUS    CREATED',
        `dana.ortiz  admin  enabled   ${today}`,
        `lee         staff  disabled  ${today}`,
        '',
      ].join('\n'),
    );
    expect(result.stdout).not.toMatch(/scrypt|\$/);
  });

  it('when nobody has been added, then list says how to create the first admin', async () => {
    const result = await staff(['list']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('npm run staff -- add <username> --role admin');
  });

  it('when the username is taken (in any case), then it refuses, says to use reset-password, exits 1 and writes no audit entry', async () => {
    await staff(['add', 'dana.ortiz', '--role', 'admin'], `${PASSWORD}\n`);

    const result = await staff(['add', 'DANA.ORTIZ', '--role', 'staff'], 'another long password\n');

    expect(result.stderr).toBe(
      'There is already a staff user named DANA.ORTIZ; use reset-password to change their password.\n',
    );
    expect(result.code).toBe(1);
    expect(await auditTrail()).toHaveLength(1);
  });

  it('when the password is short, then it is refused in plain words, exits 1 and nobody is added', async () => {
    const result = await staff(['add', 'lee', '--role', 'staff'], 'short\n');

    expect(result.stderr).toBe(
      'The password is too short: it needs at least 12 characters and has 5. A few unrelated words make a good one. Nothing was changed.\n',
    );
    expect(result.code).toBe(1);
    expect(await inDatabase((db) => new StaffRepository(db).list())).toEqual([]);
    expect(await auditTrail()).toEqual([]);
  });

  it('when no password is piped in, then it is refused with how to give one', async () => {
    const result = await staff(['add', 'lee', '--role', 'staff'], '');

    expect(result.stderr).toMatch(/^No password on standard input; nothing was changed\. .*pipe it in/);
    expect(result.code).toBe(1);
  });

  it('when the username is not valid, then it says why and exits 1', async () => {
    const result = await staff(['add', 'dana ortiz', '--role', 'staff'], `${PASSWORD}\n`);

    expect(result.stderr).toMatch(/only letters, digits and the characters \. _ @ -/);
    expect(result.code).toBe(1);
  });

  it.each([
    [[], /Which command\?/],
    [['promote', 'lee'], /There is no command "promote"/],
    [['add', 'lee'], /add needs --role staff or --role admin/],
    [['add', 'lee', '--role', 'owner'], /add needs --role staff or --role admin/],
    [['disable'], /disable needs a username/],
    [['disable', 'lee', '--force'], /Unknown option '--force'/],
    [['list', 'extra'], /list takes no username/],
  ])('when the command line is %j, then it exits 2 with the reason and the usage', async (args, reason) => {
    const result = await staff(args);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(reason);
    expect(result.stderr).toContain('Usage: npm run staff -- <command>');
  });

  it('when a user is disabled, then their sessions end, they are marked disabled, and it is audited with the count', async () => {
    await staff(['add', 'lee', '--role', 'staff'], `${PASSWORD}\n`);
    const token = await inDatabase(async (db) => {
      const user = (await new StaffRepository(db).findByUsername('lee'))!;
      return (await new StaffSessionRepository(db).create(user.id)).token;
    });

    const result = await staff(['disable', 'lee']);

    expect(result).toMatchObject({ code: 0, stdout: 'Disabled lee and ended 1 session.\n' });
    expect(await inDatabase((db) => new StaffSessionRepository(db).check(token, SESSION_LIMITS))).toEqual({
      kind: 'none',
    });
    expect((await inDatabase((db) => new StaffRepository(db).findByUsername('lee')))?.disabled).toBe(true);
    expect((await auditTrail()).at(-1)).toMatchObject({
      action: 'staff.disable',
      detail: { username: 'lee', sessionsEnded: 1 },
      sourceAddress: 'local',
    });
  });

  it('when a disabled user is enabled, then they are enabled again and it is audited; doing it twice changes and audits nothing', async () => {
    await staff(['add', 'lee', '--role', 'staff'], `${PASSWORD}\n`);
    await staff(['disable', 'lee']);

    const result = await staff(['enable', 'lee']);
    const again = await staff(['enable', 'lee']);

    expect(result).toMatchObject({ code: 0, stdout: 'Enabled lee: they can sign in again.\n' });
    expect(again).toMatchObject({ code: 0, stdout: 'lee is already enabled; nothing was changed.\n' });
    expect((await inDatabase((db) => new StaffRepository(db).findByUsername('lee')))?.disabled).toBe(false);
    expect((await auditTrail()).map((e) => e.action)).toEqual(['staff.add', 'staff.disable', 'staff.enable']);
  });

  it('when a password is reset, then only the new one works, sessions end, and it is audited', async () => {
    const newPassword = 'a different and longer passphrase';
    await staff(['add', 'lee', '--role', 'staff'], `${PASSWORD}\n`);
    const token = await inDatabase(async (db) => {
      const user = (await new StaffRepository(db).findByUsername('lee'))!;
      return (await new StaffSessionRepository(db).create(user.id)).token;
    });

    const result = await staff(['reset-password', 'lee'], `${newPassword}\n`);

    expect(result).toMatchObject({ code: 0, stdout: 'Set a new password for lee and ended 1 session.\n' });
    const stored = (await inDatabase((db) => new StaffRepository(db).findByUsername('lee')))!.passwordHash;
    expect(await verifyPassword(newPassword, stored)).toBe(true);
    expect(await verifyPassword(PASSWORD, stored)).toBe(false);
    expect(await inDatabase((db) => new StaffSessionRepository(db).check(token, SESSION_LIMITS))).toEqual({
      kind: 'none',
    });
    const last = (await auditTrail()).at(-1);
    expect(last).toMatchObject({ action: 'staff.reset-password', detail: { username: 'lee', sessionsEnded: 1 } });
    expect(JSON.stringify(last)).not.toContain(newPassword);
  });

  it('when a reset password is too short, then the old password still works and nothing is audited', async () => {
    await staff(['add', 'lee', '--role', 'staff'], `${PASSWORD}\n`);

    const result = await staff(['reset-password', 'lee'], 'tiny\n');

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/too short/);
    expect(
      await verifyPassword(
        PASSWORD,
        (await inDatabase((db) => new StaffRepository(db).findByUsername('lee')))!.passwordHash,
      ),
    ).toBe(true);
    expect(await auditTrail()).toHaveLength(1);
  });

  it.each([['disable'], ['enable'], ['reset-password']])(
    'when %s names nobody, then it says so, points at list, and exits 1',
    async (command) => {
      const result = await staff([command, 'nobody'], `${PASSWORD}\n`);

      expect(result.stderr).toBe('There is no staff user named nobody; npm run staff -- list shows who there is.\n');
      expect(result.code).toBe(1);
    },
  );
});

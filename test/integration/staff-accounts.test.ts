import type { Client } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/errors.ts';
import { DEFAULT_THROTTLE_LIMITS, LoginThrottle } from '../../src/staff/login-throttle.ts';
import { openDatabase } from '../../src/store/database.ts';
import { migrate } from '../../src/store/migrations.ts';
import { StaffRepository, usernameProblem } from '../../src/store/staff-repository.ts';
import { StaffSessionRepository, type SessionLimits } from '../../src/store/staff-session-repository.ts';
import { tempDatabaseFile } from '../support/service.ts';

// Repositories are given a fixed hash string: hashing is password.ts's job and has its own tests.
const HASH = 'scrypt$32768$8$1$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=';
const MINUTE = 60_000;
const LIMITS: SessionLimits = { idleMs: 30 * MINUTE, maxAgeMs: 12 * 60 * MINUTE };

let db: Client;
let clock: Date;
const now = () => clock;
const advance = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};

beforeEach(async () => {
  clock = new Date('2031-03-04T09:00:00.000Z');
  db = await openDatabase({ url: ':memory:' });
  await migrate(db);
});
afterEach(() => {
  db.close();
});

/** Two clients over one database file, as two instances of the service share one. */
async function withTwoInstances(use: (first: Client, second: Client) => Promise<void>): Promise<void> {
  const file = tempDatabaseFile();
  const first = await openDatabase({ url: file.url });
  const second = await openDatabase({ url: file.url });
  try {
    await migrate(first);
    await use(first, second);
  } finally {
    first.close();
    second.close();
    file.cleanup();
  }
}

describe('staff users', () => {
  it('when a user is added, then it is found by name in any case and by id, with its role, enabled, and no hash outside findByUsername', async () => {
    const users = new StaffRepository(db, now);

    const added = await users.add('Dana.Ortiz', 'admin', HASH);

    expect(added).toEqual({
      id: expect.any(String) as string,
      username: 'dana.ortiz',
      role: 'admin',
      disabled: false,
      createdAt: '2031-03-04T09:00:00.000Z',
    });
    expect(await users.findByUsername('DANA.ORTIZ')).toEqual({ ...added, passwordHash: HASH });
    expect(await users.findById(added!.id)).toEqual(added);
    expect(Object.keys((await users.list())[0]!)).not.toContain('passwordHash');
  });

  it('when a username is taken in another case, then add returns undefined and the first account is unchanged', async () => {
    const users = new StaffRepository(db, now);
    const first = await users.add('lee', 'staff', HASH);

    expect(await users.add('LEE', 'admin', 'other-hash')).toBeUndefined();
    expect(await users.findByUsername('lee')).toEqual({ ...first, passwordHash: HASH });
  });

  it('when users are listed, then they come in username order', async () => {
    const users = new StaffRepository(db, now);
    for (const name of ['morgan', 'ash', 'kim']) await users.add(name, 'staff', HASH);

    expect((await users.list()).map((u) => u.username)).toEqual(['ash', 'kim', 'morgan']);
  });

  it.each([
    ['ab', /3 to 64 characters/],
    ['x'.repeat(65), /3 to 64 characters/],
    ['dana ortiz', /only letters, digits and the characters \. _ @ -/],
    ['dana/ortiz', /only letters, digits/],
    ['dana;drop', /only letters, digits/],
  ])(
    'when the username is %j, then it is refused in plain words and add throws a UserInputError',
    async (name, problem) => {
      expect(usernameProblem(name)).toMatch(problem);
      await expect(new StaffRepository(db, now).add(name, 'staff', HASH)).rejects.toBeInstanceOf(UserInputError);
    },
  );

  it.each(['abc', 'dana.ortiz@health.example', 'ops_2-b', 'x'.repeat(64), '  Padded  '])(
    'when the username is %j, then it is accepted',
    (name) => {
      expect(usernameProblem(name)).toBeUndefined();
    },
  );

  it('when a user is disabled, re-enabled, given a new password and a new role, then each change sticks and unknown names give undefined', async () => {
    const users = new StaffRepository(db, now);
    await users.add('sam', 'staff', HASH);

    expect((await users.setDisabled('Sam', true))?.disabled).toBe(true);
    expect((await users.findByUsername('sam'))?.disabled).toBe(true);
    expect((await users.setDisabled('sam', false))?.disabled).toBe(false);
    await users.setPassword('sam', 'new-hash');
    expect((await users.findByUsername('sam'))?.passwordHash).toBe('new-hash');
    expect((await users.setRole('sam', 'admin'))?.role).toBe('admin');

    expect(await users.setDisabled('nobody', true)).toBeUndefined();
    expect(await users.setPassword('nobody', 'x')).toBeUndefined();
    expect(await users.setRole('nobody', 'admin')).toBeUndefined();
  });
});

describe('staff sessions', () => {
  async function signedIn() {
    const user = (await new StaffRepository(db, now).add('riley', 'staff', HASH))!;
    const sessions = new StaffSessionRepository(db, now);
    return { user, sessions, ...(await sessions.create(user.id)) };
  }

  it('when a session is created, then its token is 32 random bytes and only its SHA-256 is stored', async () => {
    const { token, sessionId, sessions, user } = await signedIn();
    const second = await sessions.create(user.id);

    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(second.token).not.toBe(token);
    const stored = await db.execute('SELECT * FROM staff_sessions');
    expect(JSON.stringify(stored.rows)).not.toContain(token);
    const row = stored.rows.find((r) => r.id === sessionId);
    expect(row?.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('when the token is checked, then the session is active for its user', async () => {
    const { token, sessionId, sessions, user } = await signedIn();

    expect(await sessions.check(token, LIMITS)).toEqual({ kind: 'active', user, sessionId });
  });

  it('when a token is unknown, empty or absurdly long, then the check says none', async () => {
    const { sessions } = await signedIn();

    expect(await sessions.check('not-a-token', LIMITS)).toEqual({ kind: 'none' });
    expect(await sessions.check('', LIMITS)).toEqual({ kind: 'none' });
    expect(await sessions.check('x'.repeat(10_000), LIMITS)).toEqual({ kind: 'none' });
  });

  it('when a session is used within the idle limit again and again, then it stays active, because each check restarts the idle clock', async () => {
    const { token, sessions } = await signedIn();

    for (let i = 0; i < 4; i += 1) {
      advance(LIMITS.idleMs - MINUTE);
      expect((await sessions.check(token, LIMITS)).kind).toBe('active');
    }
  });

  it('when a session goes unused past the idle limit, then it expires as idle once and is gone after', async () => {
    const { token, sessions } = await signedIn();

    advance(LIMITS.idleMs);

    expect(await sessions.check(token, LIMITS)).toEqual({ kind: 'expired', reason: 'idle' });
    expect(await sessions.check(token, LIMITS)).toEqual({ kind: 'none' });
  });

  it('when a busy session reaches its maximum age, then it expires as absolute however recently it was used', async () => {
    const { token, sessions } = await signedIn();
    const steps = Math.ceil(LIMITS.maxAgeMs / (LIMITS.idleMs - MINUTE));
    for (let i = 1; i < steps; i += 1) {
      advance(LIMITS.idleMs - MINUTE);
      expect((await sessions.check(token, LIMITS)).kind).toBe('active');
    }

    advance(LIMITS.idleMs - MINUTE);

    expect(await sessions.check(token, LIMITS)).toEqual({ kind: 'expired', reason: 'absolute' });
    expect(await sessions.check(token, LIMITS)).toEqual({ kind: 'none' });
  });

  it('when a session is revoked, then its token no longer works and other sessions do', async () => {
    const { token, sessions, user } = await signedIn();
    const other = await sessions.create(user.id);

    await sessions.revoke(token);

    expect(await sessions.check(token, LIMITS)).toEqual({ kind: 'none' });
    expect((await sessions.check(other.token, LIMITS)).kind).toBe('active');
  });

  it("when all of a user's sessions are revoked, then the count is returned and another user's session survives", async () => {
    const { token, sessions, user } = await signedIn();
    const second = await sessions.create(user.id);
    const someoneElse = (await new StaffRepository(db, now).add('quinn', 'staff', HASH))!;
    const theirs = await sessions.create(someoneElse.id);

    expect(await sessions.revokeAllOf(user.id)).toBe(2);

    expect(await sessions.check(token, LIMITS)).toEqual({ kind: 'none' });
    expect(await sessions.check(second.token, LIMITS)).toEqual({ kind: 'none' });
    expect((await sessions.check(theirs.token, LIMITS)).kind).toBe('active');
  });

  it('when the user is disabled, then their session checks as none even within its limits', async () => {
    const { token, sessions } = await signedIn();

    await new StaffRepository(db, now).setDisabled('riley', true);

    expect(await sessions.check(token, LIMITS)).toEqual({ kind: 'none' });
  });

  it('when expired sessions are swept, then only those past a limit are deleted', async () => {
    const { sessions, user } = await signedIn();
    advance(LIMITS.idleMs);
    const fresh = await sessions.create(user.id);

    expect(await sessions.deleteExpired(LIMITS)).toBe(1);
    expect((await sessions.check(fresh.token, LIMITS)).kind).toBe('active');
  });

  it('when two clients share a database file, then a session created through one is served by the other', async () => {
    await withTwoInstances(async (first, second) => {
      const user = (await new StaffRepository(first, now).add('ellis', 'staff', HASH))!;
      const { token } = await new StaffSessionRepository(first, now).create(user.id);

      expect((await new StaffSessionRepository(second, now).check(token, LIMITS)).kind).toBe('active');
    });
  });
});

describe('login throttle', () => {
  const limits = DEFAULT_THROTTLE_LIMITS;
  const ADDRESS = '192.0.2.10';

  /** A sign-in with a wrong password, as the login route makes it: the attempt is taken, then its failure recorded. */
  async function fail(throttle: LoginThrottle, username: string, address: string, times: number) {
    for (let i = 0; i < times; i += 1) {
      expect(await throttle.attempt(username, address)).toEqual({ allowed: true });
      await throttle.recordFailure(username, address);
    }
  }

  it('when the defaults are read, then they are 5 failures in 15 minutes and a 15-minute lockout', () => {
    expect(limits).toEqual({ maxFailures: 5, windowMs: 15 * MINUTE, lockoutMs: 15 * MINUTE });
  });

  it('when an account fails 4 times, then it may still try; at the 5th failure it is locked for the lockout from the address and any other', async () => {
    const throttle = new LoginThrottle(db, limits, now);
    await fail(throttle, 'sam', ADDRESS, 4);
    expect(await throttle.attempt('sam', ADDRESS)).toEqual({ allowed: true });

    await throttle.recordFailure('sam', ADDRESS);

    expect(await throttle.attempt('sam', ADDRESS)).toEqual({ allowed: false, retryAfterMs: limits.lockoutMs });
    expect(await throttle.attempt('SAM', '198.51.100.7')).toEqual({ allowed: false, retryAfterMs: limits.lockoutMs });
    expect(await throttle.attempt('kim', '198.51.100.7')).toEqual({ allowed: true });
  });

  it('when attempts for one account arrive at once at two instances, then only the first maxFailures are let through', async () => {
    await withTwoInstances(async (first, second) => {
      const instances = [new LoginThrottle(first, limits, now), new LoginThrottle(second, limits, now)];

      const verdicts = await Promise.all(
        Array.from({ length: 30 }, (_, i) => instances[i % 2]!.attempt('sam', `198.51.100.${i}`)),
      );

      expect(verdicts.filter((v) => v.allowed)).toHaveLength(limits.maxFailures);
      expect(verdicts.filter((v) => !v.allowed)).toHaveLength(30 - limits.maxFailures);
    });
  });

  it('when the lockout has passed, then the account may try again', async () => {
    const throttle = new LoginThrottle(db, limits, now);
    await fail(throttle, 'sam', ADDRESS, 5);

    advance(limits.lockoutMs - 1_000);
    expect(await throttle.attempt('sam', ADDRESS)).toEqual({ allowed: false, retryAfterMs: 1_000 });
    advance(1_000);
    expect(await throttle.attempt('sam', ADDRESS)).toEqual({ allowed: true });
  });

  it('when failures are spread wider than the window, then the count starts again and never locks', async () => {
    const throttle = new LoginThrottle(db, limits, now);
    for (let i = 0; i < 12; i += 1) {
      await fail(throttle, 'sam', ADDRESS, 1);
      advance(limits.windowMs / 4 + 1);
    }

    expect(await throttle.attempt('sam', ADDRESS)).toEqual({ allowed: true });
  });

  it('when a sign-in succeeds, then the account counter starts from zero', async () => {
    const throttle = new LoginThrottle(db, limits, now);
    await fail(throttle, 'sam', ADDRESS, 4);
    expect(await throttle.attempt('Sam', ADDRESS)).toEqual({ allowed: true });

    await throttle.recordSuccess('Sam', ADDRESS);
    await fail(throttle, 'sam', ADDRESS, 4);

    expect(await throttle.attempt('sam', ADDRESS)).toEqual({ allowed: true });
  });

  it('when the username does not exist, then its failures count and lock all the same', async () => {
    const throttle = new LoginThrottle(db, limits, now);

    await fail(throttle, 'no-such-person', ADDRESS, 5);

    expect((await throttle.attempt('no-such-person', ADDRESS)).allowed).toBe(false);
  });

  it('when one address tries many accounts, then it is locked after 4 × maxFailures failures, whatever the accounts', async () => {
    const throttle = new LoginThrottle(db, limits, now);
    const accounts = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'];
    for (let i = 0; i < 19; i += 1) await fail(throttle, accounts[i % accounts.length]!, ADDRESS, 1);
    expect(await throttle.attempt('fresh-account', ADDRESS)).toEqual({ allowed: true });

    await throttle.recordFailure('fresh-account', ADDRESS);

    expect(await throttle.attempt('other-account', ADDRESS)).toEqual({
      allowed: false,
      retryAfterMs: limits.lockoutMs,
    });
    expect(await throttle.attempt('other-account', '198.51.100.7')).toEqual({ allowed: true });
  });

  it('when an address is locked, then its refused attempts do not count against the account they named', async () => {
    const throttle = new LoginThrottle(db, limits, now);
    for (let i = 0; i < 20; i += 1) await fail(throttle, `guess-${i % 5}`, ADDRESS, 1);
    for (let i = 0; i < 10; i += 1) expect((await throttle.attempt('kim', ADDRESS)).allowed).toBe(false);

    await fail(throttle, 'kim', '198.51.100.7', 4);

    expect(await throttle.attempt('kim', '198.51.100.7')).toEqual({ allowed: true });
  });

  it('when sign-ins succeed from an address, then they are discounted there and only its failures count', async () => {
    const throttle = new LoginThrottle(db, limits, now);
    for (let i = 0; i < 30; i += 1) {
      expect(await throttle.attempt(`clerk-${i}`, ADDRESS)).toEqual({ allowed: true });
      await throttle.recordSuccess(`clerk-${i}`, ADDRESS);
    }

    for (let i = 0; i < 19; i += 1) await fail(throttle, `guess-${i % 4}`, ADDRESS, 1);

    expect(await throttle.attempt('fresh-account', ADDRESS)).toEqual({ allowed: true });
  });

  it("when a sign-in succeeds from a locked address, then the address's count is not cleared", async () => {
    const throttle = new LoginThrottle(db, limits, now);
    for (let i = 0; i < 20; i += 1) await fail(throttle, `guess-${i % 4}`, ADDRESS, 1);

    await throttle.recordSuccess('guess-0', ADDRESS);

    expect((await throttle.attempt('guess-0', ADDRESS)).allowed).toBe(false);
  });

  it('when failures are recorded, then neither the username nor the address is stored in clear', async () => {
    const throttle = new LoginThrottle(db, limits, now);

    await fail(throttle, 'My Secret Passphrase', ADDRESS, 1);

    const stored = JSON.stringify((await db.execute('SELECT * FROM staff_login_failures')).rows);
    expect(stored).not.toMatch(/secret passphrase/i);
    expect(stored).not.toContain(ADDRESS);
  });

  it('when counters have outlived their window and lockout, then the next failure sweeps them away', async () => {
    const throttle = new LoginThrottle(db, limits, now);
    await fail(throttle, 'old-guess', '203.0.113.5', 5);
    advance(limits.windowMs + limits.lockoutMs);

    await fail(throttle, 'sam', ADDRESS, 1);

    const rows = await db.execute('SELECT COUNT(*) AS n FROM staff_login_failures');
    expect(Number(rows.rows[0]?.n)).toBe(2); // sam's account and the address it came from
  });

  it('when two instances record failures on one database file, then their counts add up', async () => {
    await withTwoInstances(async (first, second) => {
      const a = new LoginThrottle(first, limits, now);
      const b = new LoginThrottle(second, limits, now);
      await Promise.all([fail(a, 'sam', ADDRESS, 3), fail(b, 'sam', '198.51.100.7', 2)]);

      expect((await a.attempt('sam', '203.0.113.9')).allowed).toBe(false);
    });
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_THROTTLE_LIMITS } from '../../src/staff/login-throttle.ts';
import { AuditLog } from '../../src/store/audit-log.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { StaffClient, addStaffUser } from '../support/staff.ts';

/**
 * Sign-ins sent at once, as a guesser with a script sends them: the throttle
 * must hold for every one of them, not only for those that arrive after the
 * first failure has been written. Each test has its own service, so the
 * address (127.0.0.1) starts with a clean count.
 */

const RIGHT_PASSWORD = 'the right password 123';
const AT_ONCE = 29;
// An address is allowed this many failures (login-throttle.ts: four times an account's).
const ADDRESS_LIMIT = DEFAULT_THROTTLE_LIMITS.maxFailures * 4;

let service: TestService;
beforeEach(async () => {
  service = await startTestService();
});
afterEach(async () => {
  await service.close();
});

/**
 * Opens the sign-in page for each, then sends every post at once, each on its own connection; returns the answers'
 * statuses. The order in which the server reads them is not the order they were sent (the kernel and the event loop
 * choose), so a test that cares what comes last sends that one after these are answered.
 */
async function signInAtOnce(attempts: readonly { username: string; password: string }[]): Promise<number[]> {
  const posts = await Promise.all(
    attempts.map(({ username, password }) => new StaffClient(service.url).readySignIn(username, password)),
  );
  const answers = await Promise.all(posts.map((post) => post()));
  return answers.map((answer) => answer.status);
}

/** Sign-ins whose password was checked, as the audit log has them: failed and successful ones. */
async function triedSignIns(): Promise<number> {
  const records = await new AuditLog(service.db).page({ limit: 100 });
  return records.filter((r) => r.action === 'staff.sign-in-failed' || r.action === 'staff.sign-in').length;
}

describe('sign-in throttle under concurrent sign-ins', () => {
  it('when 29 wrong sign-ins for one account arrive at once, then at most 5 are tried, and the right password after them is refused while locked', async () => {
    await addStaffUser(service.db, 'race.target', 'staff', RIGHT_PASSWORD);
    const attempts = Array.from({ length: AT_ONCE }, (_, i) => ({
      username: 'race.target',
      password: `wrong password ${i}xx`,
    }));

    const statuses = await signInAtOnce(attempts);

    expect(statuses.filter((s) => s !== 429).length).toBeLessThanOrEqual(DEFAULT_THROTTLE_LIMITS.maxFailures);
    expect(await triedSignIns()).toBeLessThanOrEqual(DEFAULT_THROTTLE_LIMITS.maxFailures);
    expect(statuses).toContain(429);
    expect((await new StaffClient(service.url).signIn('race.target', RIGHT_PASSWORD)).status).toBe(429);
    expect(await triedSignIns()).toBeLessThanOrEqual(DEFAULT_THROTTLE_LIMITS.maxFailures);
  });

  it('when 29 wrong sign-ins for different accounts arrive at once from one address, then at most the address limit are tried, and a right password after them is refused', async () => {
    await addStaffUser(service.db, 'office.clerk', 'staff', RIGHT_PASSWORD);
    const attempts = Array.from({ length: AT_ONCE }, (_, i) => ({
      username: `guess.${i}`,
      password: `wrong password ${i}xx`,
    }));

    const statuses = await signInAtOnce(attempts);

    expect(statuses.filter((s) => s !== 429).length).toBeLessThanOrEqual(ADDRESS_LIMIT);
    expect(await triedSignIns()).toBeLessThanOrEqual(ADDRESS_LIMIT);
    expect(statuses).toContain(429);
    expect((await new StaffClient(service.url).signIn('office.clerk', RIGHT_PASSWORD)).status).toBe(429);
    expect(await triedSignIns()).toBeLessThanOrEqual(ADDRESS_LIMIT);
  });
});

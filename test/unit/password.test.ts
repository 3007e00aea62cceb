import { describe, expect, it } from 'vitest';
import { hashPassword, passwordProblem, verifyPassword } from '../../src/staff/password.ts';

const GOOD = 'correct horse battery staple';
const STORED_SHAPE = /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/;

describe('passwordProblem', () => {
  it('when a password has 11 characters, then it is refused in plain words that give the minimum', () => {
    expect(passwordProblem('a'.repeat(11))).toBe(
      'The password is too short: it needs at least 12 characters and has 11. A few unrelated words make a good one.',
    );
  });

  it('when a password has 12 or 200 characters, then it is accepted', () => {
    expect(passwordProblem('a'.repeat(12))).toBeUndefined();
    expect(passwordProblem('a'.repeat(200))).toBeUndefined();
  });

  it('when a password has 201 characters, then it is refused as too long', () => {
    expect(passwordProblem('a'.repeat(201))).toMatch(/too long: it may have at most 200 characters/);
  });

  it('when characters take several code units (accents, emoji), then each counts once', () => {
    const accented = 'e\u0301'.repeat(11); // 22 code units, 11 letters
    expect(passwordProblem(accented)).toMatch(/has 11/);
    expect(passwordProblem('👩‍👩‍👧'.repeat(12))).toBeUndefined();
  });
});

describe('hashPassword and verifyPassword', () => {
  it('when a password is hashed, then the stored string names scrypt and its cost and does not contain the password', async () => {
    const stored = await hashPassword(GOOD);

    expect(stored).toMatch(STORED_SHAPE);
    expect(stored).not.toContain(GOOD);
    expect(stored).not.toContain(Buffer.from(GOOD).toString('base64'));
  });

  it('when the same password is hashed twice, then the salts differ and both verify', async () => {
    const [first, second] = await Promise.all([hashPassword(GOOD), hashPassword(GOOD)]);

    expect(first).not.toBe(second);
    expect(first.split('$')[4]).not.toBe(second.split('$')[4]);
    expect(await verifyPassword(GOOD, first)).toBe(true);
    expect(await verifyPassword(GOOD, second)).toBe(true);
  });

  it('when a different password is given, then it does not verify', async () => {
    const stored = await hashPassword(GOOD);

    expect(await verifyPassword('correct horse battery stapler', stored)).toBe(false);
    expect(await verifyPassword('Correct horse battery staple', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('when the same text arrives composed or decomposed, then it verifies either way', async () => {
    const stored = await hashPassword('caf\u00e9 au lait, sans sucre');

    expect(await verifyPassword('cafe\u0301 au lait, sans sucre', stored)).toBe(true);
  });

  it('when one hash takes its time, then it is between 20 ms and 1 s (slow for guessing, fine at sign-in)', async () => {
    await hashPassword(GOOD); // warm the thread pool
    const started = performance.now();
    await hashPassword(GOOD);
    const elapsed = performance.now() - started;

    expect(elapsed).toBeGreaterThan(20);
    expect(elapsed).toBeLessThan(1_000);
  });

  it.each([
    ['empty', ''],
    ['another scheme', 'bcrypt$2b$12$abcdefghijklmnopqrstuv'],
    ['too few parts', 'scrypt$32768$8$1$c2FsdA=='],
    [
      'a cost that is not a power of two',
      'scrypt$30000$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    ],
    [
      'a cost that would need gigabytes',
      'scrypt$1048576$32$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    ],
    [
      'a cost that is not a number',
      'scrypt$lots$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    ],
    ['a salt that is not base64', 'scrypt$32768$8$1$not*base64*at*all!!$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='],
    ['a hash that is too short', 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA'],
  ])('when the stored string is malformed (%s), then it does not verify and nothing throws', async (_what, stored) => {
    await expect(verifyPassword(GOOD, stored)).resolves.toBe(false);
  });

  it('when one character of the stored hash changes, then the right password no longer verifies', async () => {
    const stored = await hashPassword(GOOD);
    const parts = stored.split('$');
    const key = Buffer.from(parts[5]!, 'base64');
    key[0] = key[0]! ^ 0x01;
    parts[5] = key.toString('base64');

    expect(await verifyPassword(GOOD, parts.join('$'))).toBe(false);
  });
});

import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateDataKeysText, parseDataKeys } from '../../src/keys/data-keys.ts';
import { loadOrCreateDevDataKeys } from '../../src/keys/dev-data-keys-file.ts';

const KEY_BYTES = 32;
const FILE_PERMISSIONS = 0o777;
const GENERATE_HINT = "randomBytes(32).toString('base64')";

function base64Key(bytes = KEY_BYTES): string {
  return randomBytes(bytes).toString('base64');
}

function problemOf(text: string): string {
  const result = parseDataKeys(text);
  if (result.ok) {
    throw new Error(`expected DATA_KEYS "${text}" to be rejected`);
  }
  return result.problem;
}

describe('parseDataKeys', () => {
  it('when the list is well formed, then keys come back in order with their bytes', () => {
    const newer = randomBytes(KEY_BYTES);
    const older = randomBytes(KEY_BYTES);

    const result = parseDataKeys(` k20261125:${newer.toString('base64')} , k_2025-03:${older.toString('base64')}\n`);

    expect(result).toEqual({
      ok: true,
      keys: [
        { id: 'k20261125', key: newer },
        { id: 'k_2025-03', key: older },
      ],
    });
  });

  it('when a key id is 32 characters long, then it is accepted', () => {
    expect(parseDataKeys(`${'a'.repeat(32)}:${base64Key()}`).ok).toBe(true);
  });

  it.each(['', '   ', '\n'])(
    'when the list is %j, then the problem says DATA_KEYS is empty and how to fill it',
    (text) => {
      const problem = problemOf(text);

      expect(problem).toMatch(/^DATA_KEYS is empty/);
      expect(problem).toContain(GENERATE_HINT);
    },
  );

  it.each([
    ['not base64', 'k1:this is not base64!!'],
    ['16 bytes', `k1:${base64Key(16)}`],
    ['33 bytes', `k1:${base64Key(33)}`],
    ['missing its padding', `k1:${base64Key().replace(/=+$/, '')}`],
    ['empty', 'k1:'],
  ])('when the key is %s, then the problem names the entry and how to generate one', (_label, entry) => {
    const problem = problemOf(`k0:${base64Key()},${entry}`);

    expect(problem).toMatch(/^DATA_KEYS entry 2 is not 32 bytes of base64/);
    expect(problem).toContain(GENERATE_HINT);
  });

  it('when two entries share an id, then the problem names the repeated id', () => {
    expect(problemOf(`k1:${base64Key()},k2:${base64Key()},k1:${base64Key()}`)).toBe(
      'DATA_KEYS entry 3 repeats the key id "k1"; give every key its own id.',
    );
  });

  it.each([
    ['empty', ''],
    ['33 characters', 'a'.repeat(33)],
    ['a space', 'key one'],
    ['a dot', 'k.1'],
  ])('when the id is %s, then the problem says which characters an id may use', (_label, id) => {
    expect(problemOf(`${id}:${base64Key()}`)).toMatch(/^DATA_KEYS entry 1 has an invalid key id; use 1 to 32 letters/);
  });

  it('when an entry is written key-first, then the problem does not repeat the key', () => {
    const key = base64Key();

    const problem = problemOf(`${key}:k1`);

    expect(problem).toMatch(/invalid key id/);
    expect(problem).not.toContain(key);
    expect(problem).not.toContain(key.slice(0, 8));
  });

  it('when an entry has no colon, then the problem shows the id:base64key form', () => {
    expect(problemOf(base64Key())).toBe('DATA_KEYS entry 1 has no colon; write each entry as id:base64key.');
  });

  it('when the list has a trailing comma, then the problem asks to remove it', () => {
    expect(problemOf(`k1:${base64Key()},`)).toBe('DATA_KEYS entry 2 is empty; remove the extra comma.');
  });
});

describe('generateDataKeysText', () => {
  it('when a list is generated, then it is one key with a dated id that parses', () => {
    const text = generateDataKeysText(new Date('2026-11-25T23:30:00Z'));

    const result = parseDataKeys(text);

    expect(text).toMatch(/^k20261125:/);
    expect(result.ok && result.keys.length === 1 && result.keys[0]!.key.length).toBe(KEY_BYTES);
  });

  it('when two lists are generated on the same day, then their keys differ', () => {
    const now = new Date('2026-11-25T12:00:00Z');

    expect(generateDataKeysText(now)).not.toBe(generateDataKeysText(now));
  });
});

describe('loadOrCreateDevDataKeys', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'permitline-data-keys-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('when no file exists, then it creates one readable only by its owner, in new parent folders', () => {
    const filePath = join(dir, 'data', 'nested', 'dev-data-keys');

    const { text, created } = loadOrCreateDevDataKeys(filePath);

    expect(created).toBe(true);
    expect(parseDataKeys(text).ok).toBe(true);
    expect(readFileSync(filePath, 'utf8').trim()).toBe(text);
    expect(statSync(filePath).mode & FILE_PERMISSIONS).toBe(0o600);
  });

  it('when called again, then it returns the same text without creating anything', () => {
    const filePath = join(dir, 'dev-data-keys');
    const first = loadOrCreateDevDataKeys(filePath);

    const second = loadOrCreateDevDataKeys(filePath);

    expect(second).toEqual({ text: first.text, created: false });
  });

  it('when the file exists with surrounding whitespace, then the text comes back trimmed and unchanged on disk', () => {
    const filePath = join(dir, 'dev-data-keys');
    const existing = `k1:${base64Key()}`;
    writeFileSync(filePath, `\n  ${existing}  \n\n`);

    expect(loadOrCreateDevDataKeys(filePath)).toEqual({ text: existing, created: false });
    expect(readFileSync(filePath, 'utf8')).toBe(`\n  ${existing}  \n\n`);
  });

  it('when the path is a folder, then it throws the read error instead of returning a key', () => {
    const filePath = join(dir, 'is-a-folder');
    mkdirSync(filePath);

    expect(() => loadOrCreateDevDataKeys(filePath)).toThrow(/EISDIR/);
  });
});

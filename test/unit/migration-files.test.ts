import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMigrations } from '../../src/store/migrations.ts';

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('migration files', () => {
  it('when two migrations share a number (two branches merged), then loading names both instead of skipping one', () => {
    dir = mkdtempSync(join(tmpdir(), 'permitline-migrations-'));
    writeFileSync(join(dir, '001_first.sql'), 'CREATE TABLE a (x INTEGER);\n');
    writeFileSync(join(dir, '002_limits.sql'), 'CREATE TABLE b (x INTEGER);\n');
    writeFileSync(join(dir, '002_retention.sql'), 'CREATE TABLE c (x INTEGER);\n');
    expect(() => loadMigrations(dir)).toThrow(
      'Migrations 002_limits.sql and 002_retention.sql share version 2: renumber the newer one',
    );
  });

  it("when the project's migrations are loaded, then each version is there once, in order", () => {
    const versions = loadMigrations().map((m) => m.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
  });
});

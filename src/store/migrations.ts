import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@libsql/client';

/**
 * Plain .sql migrations named NNN_what.sql, applied in order at start. Each
 * runs with its record in schema_migrations as one batch, which libSQL runs
 * as a transaction: a migration is applied whole or not at all. Statements
 * are separated by a semicolon at the end of a line (so no triggers with
 * inner semicolons: write those as one line each).
 */
const MIGRATIONS_DIR = join(import.meta.dirname, 'migrations');
const MIGRATION_FILE = /^(\d{3})_[a-z0-9_]+\.sql$/;

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  /* eslint-disable security/detect-non-literal-fs-filename -- our own migrations folder, not user input */
  const migrations = readdirSync(dir)
    .filter((file) => MIGRATION_FILE.test(file))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 3)),
      name: file,
      statements: splitStatements(readFileSync(join(dir, file), 'utf8')),
    }));
  /* eslint-enable security/detect-non-literal-fs-filename */
  // Two branches can each add the next number; merged, the second file would be skipped as already applied.
  for (const [i, migration] of migrations.entries()) {
    const previous = migrations[i - 1];
    if (previous?.version === migration.version)
      throw new Error(
        `Migrations ${previous.name} and ${migration.name} share version ${migration.version}: renumber the newer one to follow the last (each version is applied once).`,
      );
  }
  return migrations;
}

function splitStatements(sql: string): string[] {
  const withoutComments = sql.replace(/^\s*--.*$/gm, '');
  return withoutComments
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const CREATE_MIGRATIONS_TABLE =
  'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)';

async function appliedVersions(db: Client): Promise<Set<number>> {
  await db.execute(CREATE_MIGRATIONS_TABLE);
  const rows = await db.execute('SELECT version FROM schema_migrations');
  return new Set(rows.rows.map((row) => Number(row.version)));
}

/** Applies what is not applied yet; returns the names applied now. Applying twice is a no-op. */
export async function migrate(db: Client, migrations = loadMigrations(), now = () => new Date()): Promise<string[]> {
  const applied = await appliedVersions(db);
  const appliedNow: string[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    try {
      await db.batch(
        [
          ...migration.statements,
          {
            sql: 'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
            args: [migration.version, migration.name, now().toISOString()],
          },
        ],
        'write',
      );
      appliedNow.push(migration.name);
    } catch (error) {
      // Another instance starting at the same moment may have applied it first.
      if ((await appliedVersions(db)).has(migration.version)) continue;
      throw new Error(`Migration ${migration.name} failed and was rolled back: ${String(error)}`, { cause: error });
    }
  }
  return appliedNow;
}

/** True when every migration this build knows is recorded as applied: what readiness checks (read-only). */
export async function isSchemaCurrent(db: Client, migrations = loadMigrations()): Promise<boolean> {
  try {
    const rows = await db.execute('SELECT version FROM schema_migrations');
    const applied = new Set(rows.rows.map((row) => Number(row.version)));
    return migrations.every((m) => applied.has(m.version));
  } catch {
    return false; // no migrations table yet
  }
}

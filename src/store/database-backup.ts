import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { loadMigrations, migrate } from './migrations.ts';
import { textColumn } from './row-values.ts';

/**
 * Backups of a local file database (docs/backup-and-restore.md). A backup is
 * itself a SQLite file, written by VACUUM INTO, which reads inside one
 * transaction: under WAL the running service keeps writing meanwhile and the
 * copy is the database as of one instant. The copy carries a one-row table
 * naming it a PermitLine backup, its schema version and its row counts, so a
 * restore can refuse any other file and check that nothing was lost in between.
 * Counts only, never values: the manifest is printed and may be pasted into tickets.
 */

export const BACKUP_FORMAT = 'permitline-backup-v1';
const MANIFEST_TABLE = 'permitline_backup';

export type TableCounts = Readonly<Record<string, number>>;

export interface BackupManifest {
  readonly format: string;
  readonly schemaVersion: number;
  readonly takenAt: string;
  readonly counts: TableCounts;
}

/** A refusal: the operator's to fix, said in one sentence. */
export class BackupRefusal extends Error {
  override readonly name = 'BackupRefusal';
}

/* eslint-disable security/detect-non-literal-fs-filename -- every path here is the operator's own --output, --input or DATABASE_URL */

/** Rows per table (schema_migrations included, the manifest not), in name order. */
export async function tableCounts(db: Client): Promise<TableCounts> {
  const tables = await db.execute(
    `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '${MANIFEST_TABLE}' ORDER BY name`,
  );
  const counts: Record<string, number> = {};
  for (const row of tables.rows) {
    const name = textColumn(row, 'name');
    // A name read from the database's own catalogue, quoted as an identifier.
    const result = await db.execute(`SELECT count(*) AS n FROM "${name.replaceAll('"', '""')}"`);
    counts[name] = Number(result.rows[0]?.n ?? 0);
  }
  return counts;
}

/** Copies the open database to `outputPath` (which must not exist) and writes the manifest into the copy. */
export async function backUpDatabase(db: Client, outputPath: string, now = new Date()): Promise<BackupManifest> {
  if (existsSync(outputPath))
    throw new BackupRefusal(`${outputPath} already exists: name a new file, so that no earlier backup is overwritten.`);
  // Written under another name and renamed when complete: a backup cut short never looks like a good one.
  const partial = `${outputPath}.partial`;
  mkdirSync(dirname(outputPath), { recursive: true });
  rmSync(partial, { force: true });
  await db.execute({ sql: 'VACUUM INTO ?', args: [partial] });
  const copy = createClient({ url: `file:${partial}` });
  try {
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      schemaVersion: await schemaVersion(copy),
      takenAt: now.toISOString(),
      counts: await tableCounts(copy),
    };
    await copy.batch(
      [
        `CREATE TABLE ${MANIFEST_TABLE} (format TEXT NOT NULL, schema_version INTEGER NOT NULL, taken_at TEXT NOT NULL, counts TEXT NOT NULL)`,
        {
          sql: `INSERT INTO ${MANIFEST_TABLE} VALUES (?, ?, ?, ?)`,
          args: [manifest.format, manifest.schemaVersion, manifest.takenAt, JSON.stringify(manifest.counts)],
        },
      ],
      'write',
    );
    copy.close();
    renameSync(partial, outputPath);
    return manifest;
  } catch (error) {
    copy.close();
    rmSync(partial, { force: true });
    throw error;
  }
}

export interface RestoreOutcome {
  readonly manifest: BackupManifest;
  /** Where the database that was there before now is, when --force replaced one. */
  readonly replacedKeptAt: string | undefined;
}

/**
 * Puts the backup at `inputPath` in place of the database file at `targetPath`. Every instance using that file
 * must be stopped first: a process holding it open would go on writing to the file that was replaced. Refuses a
 * file that is not a PermitLine backup, one from a newer schema than this build knows, and, unless `force`, a
 * target that holds data; with `force` the replaced database is kept beside it, not deleted.
 */
export async function restoreDatabase(options: {
  readonly inputPath: string;
  readonly targetPath: string;
  readonly force: boolean;
  readonly now?: Date;
}): Promise<RestoreOutcome> {
  const { inputPath, targetPath } = options;
  if (!existsSync(inputPath))
    throw new BackupRefusal(`${inputPath} does not exist: name a file made by npm run backup.`);
  // The backup is copied first and only the copy is touched, so a failed restore leaves both files as they were.
  const staging = `${targetPath}.restoring`;
  mkdirSync(dirname(targetPath), { recursive: true });
  rmSync(staging, { force: true });
  const source = createClient({ url: `file:${inputPath}` });
  let manifest: BackupManifest;
  try {
    manifest = await readManifest(source, inputPath);
    const newest = loadMigrations().at(-1)?.version ?? 0;
    if (manifest.schemaVersion > newest)
      throw new BackupRefusal(
        `${inputPath} has schema version ${manifest.schemaVersion}, newer than this PermitLine's ${newest}: restore it with the release that made it.`,
      );
    await source.execute({ sql: 'VACUUM INTO ?', args: [staging] });
  } finally {
    source.close();
  }
  try {
    const copy = createClient({ url: `file:${staging}` });
    try {
      await copy.execute(`DROP TABLE ${MANIFEST_TABLE}`);
      const counts = await tableCounts(copy);
      const differing = Object.keys({ ...counts, ...manifest.counts }).filter(
        (table) => counts[table] !== manifest.counts[table],
      );
      if (differing.length > 0)
        throw new BackupRefusal(
          `${inputPath} does not hold what its manifest says (${differing.join(', ')} differ): it was changed after the backup; use another backup.`,
        );
    } finally {
      copy.close();
    }
    const replacedKeptAt = await setAside(targetPath, options.force, options.now ?? new Date());
    for (const suffix of ['-wal', '-shm']) rmSync(`${targetPath}${suffix}`, { force: true });
    renameSync(staging, targetPath);
    return { manifest, replacedKeptAt };
  } catch (error) {
    rmSync(staging, { force: true });
    throw error;
  }
}

/** Whether the database holds anything beyond what the migrations themselves put in an empty one. */
export async function holdsData(db: Client): Promise<boolean> {
  const empty = createClient({ url: ':memory:' });
  try {
    await migrate(empty);
    const baseline = await tableCounts(empty);
    const counts = await tableCounts(db);
    return Object.entries(counts).some(([table, n]) => table !== 'schema_migrations' && n > (baseline[table] ?? 0));
  } finally {
    empty.close();
  }
}

async function setAside(targetPath: string, force: boolean, now: Date): Promise<string | undefined> {
  if (!existsSync(targetPath)) return undefined;
  const target = createClient({ url: `file:${targetPath}` });
  try {
    if (!(await holdsData(target))) return undefined;
    if (!force)
      throw new BackupRefusal(
        `The database at ${targetPath} holds data: restoring would replace it. Stop every instance, then run again with --force (the replaced database is kept beside it).`,
      );
    // Everything committed into the file itself, so the copy set aside is whole without its WAL.
    await target.execute('PRAGMA wal_checkpoint(TRUNCATE)');
  } finally {
    target.close();
  }
  const keptAt = `${targetPath}.before-restore-${now.toISOString().replaceAll(':', '-')}`;
  renameSync(targetPath, keptAt);
  return keptAt;
}

async function readManifest(db: Client, path: string): Promise<BackupManifest> {
  const notABackup = new BackupRefusal(`${path} is not a PermitLine backup: name a file made by npm run backup.`);
  let rows;
  try {
    rows = await db.execute(`SELECT format, schema_version, taken_at, counts FROM ${MANIFEST_TABLE}`);
  } catch {
    throw notABackup; // not SQLite at all, or SQLite without our manifest
  }
  const row = rows.rows[0];
  if (rows.rows.length !== 1 || row === undefined || row.format !== BACKUP_FORMAT) throw notABackup;
  try {
    const counts = JSON.parse(textColumn(row, 'counts')) as unknown;
    if (typeof counts !== 'object' || counts === null) throw notABackup;
    return {
      format: BACKUP_FORMAT,
      schemaVersion: Number(row.schema_version),
      takenAt: textColumn(row, 'taken_at'),
      counts: Object.fromEntries(Object.entries(counts).map(([table, n]) => [table, Number(n)])),
    };
  } catch {
    throw notABackup;
  }
}

async function schemaVersion(db: Client): Promise<number> {
  try {
    const result = await db.execute('SELECT max(version) AS v FROM schema_migrations');
    return Number(result.rows[0]?.v ?? 0);
  } catch {
    return 0; // never migrated
  }
}
/* eslint-enable security/detect-non-literal-fs-filename */

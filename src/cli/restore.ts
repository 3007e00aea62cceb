import { parseArgs } from 'node:util';
import type { Client } from '@libsql/client';
import { loadConfig } from '../config/config.ts';
import { AuditLog } from '../store/audit-log.ts';
import { BackupRefusal, restoreDatabase, tableCounts } from '../store/database-backup.ts';
import { localFilePath, openDatabase } from '../store/database.ts';
import { migrate } from '../store/migrations.ts';
import { describeCounts } from './database-counts.ts';

/**
 * npm run restore -- --input FILE [--force]: puts a backup made by npm run backup in place of the local file
 * database named by DATABASE_URL, brings its schema up to this release, then walks the audit chain as
 * npm run audit:verify does and prints what the database holds. Stop every instance first
 * (docs/backup-and-restore.md). Exit 0 when restored and the chain is intact; 1 otherwise, with why.
 */

const USAGE = 'Usage: npm run restore -- --input FILE [--force]';

const loaded = loadConfig(process.env);
if (!loaded.ok) {
  process.stderr.write(`${loaded.error.message}\n`);
  process.exit(1);
}
const { config } = loaded;
let args: { input?: string | undefined; force?: boolean | undefined };
try {
  args = parseArgs({
    options: { input: { type: 'string' }, force: { type: 'boolean', default: false } },
    strict: true,
  }).values;
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exit(1);
}
const input = args.input;
const targetPath = localFilePath(config.database.url);
if (input === undefined || input.trim() === '') {
  process.stderr.write(`Name the backup to restore with --input.\n${USAGE}\n`);
  process.exit(1);
}
if (targetPath === undefined) {
  process.stderr.write(
    `DATABASE_URL is not a local file database: npm run restore writes file: databases only; restore Turso with its point-in-time restore or a .dump (docs/backup-and-restore.md).\n`,
  );
  process.exit(1);
}

let db: Client | undefined;
try {
  const outcome = await restoreDatabase({ inputPath: input, targetPath, force: args.force === true });
  process.stdout.write(
    `Restored the backup taken at ${outcome.manifest.takenAt} (schema version ${outcome.manifest.schemaVersion}) to ${targetPath}.\n`,
  );
  if (outcome.replacedKeptAt !== undefined)
    process.stdout.write(`The database it replaced is kept at ${outcome.replacedKeptAt}.\n`);
  db = await openDatabase(config.database);
  const applied = await migrate(db);
  if (applied.length > 0) process.stdout.write(`Brought the schema up to date: ${applied.join(', ')}.\n`);
  const verification = await new AuditLog(db).verify();
  process.stdout.write(`Now holds ${describeCounts(await tableCounts(db))}.\n`);
  if (verification.ok) {
    process.stdout.write(`Audit log intact: ${verification.entries} entries.\n`);
  } else {
    for (const { seq, problem } of verification.problems)
      process.stdout.write(`${seq === 0 ? 'Audit head' : `Row ${seq}`}: ${problem}\n`);
    process.stdout.write(
      'The restored audit log does not verify: do not start the service on it; restore another backup (docs/backup-and-restore.md).\n',
    );
    process.exitCode = 1;
  }
} catch (error) {
  process.stderr.write(
    error instanceof BackupRefusal
      ? `${error.message}\n`
      : `restore failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
} finally {
  db?.close();
}

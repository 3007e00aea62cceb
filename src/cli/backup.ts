import { parseArgs } from 'node:util';
import type { Client } from '@libsql/client';
import { loadConfig } from '../config/config.ts';
import { BackupRefusal, backUpDatabase } from '../store/database-backup.ts';
import { localFilePath, openDatabase } from '../store/database.ts';
import { describeCounts } from './database-counts.ts';

/**
 * npm run backup -- --output FILE: a consistent copy of the local file database, safe while the service runs
 * (src/store/database-backup.ts). Turso databases are backed up by Turso itself (docs/backup-and-restore.md).
 * Exit 0 with what the backup holds; 1 with one sentence saying why not.
 */

const USAGE = 'Usage: npm run backup -- --output FILE';

const loaded = loadConfig(process.env);
if (!loaded.ok) {
  process.stderr.write(`${loaded.error.message}\n`);
  process.exit(1);
}
const { config } = loaded;
let output: string | undefined;
try {
  output = parseArgs({ options: { output: { type: 'string' } }, strict: true }).values.output;
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exit(1);
}
if (output === undefined || output.trim() === '') {
  process.stderr.write(`Name the file to write the backup to with --output.\n${USAGE}\n`);
  process.exit(1);
}
if (localFilePath(config.database.url) === undefined) {
  process.stderr.write(
    `DATABASE_URL is not a local file database: npm run backup copies file: databases only; back up Turso with its point-in-time restore or turso db shell … .dump (docs/backup-and-restore.md).\n`,
  );
  process.exit(1);
}

let db: Client | undefined;
try {
  db = await openDatabase(config.database);
  const manifest = await backUpDatabase(db, output);
  process.stdout.write(
    `Backed up to ${output} at ${manifest.takenAt}, schema version ${manifest.schemaVersion}: ${describeCounts(manifest.counts)}.\n`,
  );
} catch (error) {
  process.stderr.write(
    error instanceof BackupRefusal
      ? `${error.message}\n`
      : `backup failed: ${error instanceof Error ? error.message : String(error)}\nNo backup was written.\n`,
  );
  process.exitCode = 1;
} finally {
  db?.close();
}

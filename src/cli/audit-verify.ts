import { loadConfig } from '../config/config.ts';
import { AuditLog } from '../store/audit-log.ts';
import { openDatabase } from '../store/database.ts';
import { migrate } from '../store/migrations.ts';

/**
 * npm run audit:verify: walks the staff audit log's hash chain and its head.
 * Exit 0 when intact; exit 1 with one line per problem, naming the row by its
 * sequence number, when anything was edited, deleted or added by hand.
 */
const loaded = loadConfig(process.env);
if (!loaded.ok) {
  process.stderr.write(`${loaded.error.message}\n`);
  process.exit(1);
}
try {
  const db = await openDatabase(loaded.config.database);
  try {
    await migrate(db);
    const result = await new AuditLog(db).verify();
    if (result.ok) {
      process.stdout.write(`Audit log intact: ${result.entries} entries.\n`);
    } else {
      for (const { seq, problem } of result.problems)
        process.stdout.write(`${seq === 0 ? 'Audit head' : `Row ${seq}`}: ${problem}\n`);
      process.exitCode = 1;
    }
  } finally {
    db.close();
  }
} catch (error) {
  process.stderr.write(
    `audit:verify could not read the audit log: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
}

import type { Client } from '@libsql/client';
import { loadConfig } from '../config/config.ts';
import { resolveDataKeys } from '../config/resolve-data-keys.ts';
import { createProcessLogger } from '../ops/logger.ts';
import { CallRecordings } from '../recording/call-recordings.ts';
import { openRecordingStorage, type RecordingStorage } from '../service/recording-storage.ts';
import { ApplicantErasure } from '../store/applicant-erasure.ts';
import { AuditLog } from '../store/audit-log.ts';
import { openDatabase } from '../store/database.ts';
import { FieldCipher } from '../store/field-cipher.ts';
import { JobLeases } from '../store/job-leases.ts';
import { migrate } from '../store/migrations.ts';
import { Retention, RETENTION_ACTION, type RetentionTotals } from '../store/retention.ts';
import { operatingSystemUser, plural } from './operator.ts';

/**
 * npm run retention: erases now what the service's daily run would, the
 * personal data of drafts and calls older than RETENTION_DAYS
 * (src/store/retention.ts, docs/adr/0006-retention.md), printing each batch.
 * Safe beside running instances: if one is already at it, this run says so
 * and does nothing. Exit 0 when done, when nothing was due, or when another
 * run was already at it (nothing is wrong then); 1 when it failed.
 */

const loaded = loadConfig(process.env);
if (!loaded.ok) {
  process.stderr.write(`${loaded.error.message}\n`);
  process.exit(1);
}
const { config } = loaded;
const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
let db: Client | undefined;
let recordingStorage: RecordingStorage | undefined;
try {
  const logger = createProcessLogger(config);
  const dataKeys = resolveDataKeys(config, logger);
  db = await openDatabase(config.database);
  await migrate(db);
  // Only erased here, never uploaded: the spool is the running instances' to send.
  recordingStorage = await openRecordingStorage(config.recordings, logger);
  const retention = new Retention({
    db,
    erasure: new ApplicantErasure(db, new FieldCipher(dataKeys)),
    audit: new AuditLog(db),
    leases: new JobLeases(db),
    recordings: new CallRecordings(recordingStorage.store, dataKeys),
  });
  say(
    `Erasing personal data older than ${plural(config.retentionDays, 'day')} (RETENTION_DAYS): drafts never submitted, and calls with their transcripts and recordings. Submitted applications are kept.`,
  );
  const outcome = await retention.run({
    days: config.retentionDays,
    actor: `cli:${operatingSystemUser()}`,
    sourceAddress: 'local',
    onBatch: (totals) => {
      say(`  erased so far: ${describe(totals)}`);
    },
  });
  if (outcome.kind === 'busy') {
    say(
      `Another retention run (an instance's daily run, or another shell) is in progress; its lease runs until ${outcome.heldUntil}. It erases the same records, so this run did nothing. To check, run npm run retention again after that.`,
    );
  } else if (outcome.totals.applications + outcome.totals.calls === 0) {
    say(`Nothing to erase: no draft or call was last active before ${outcome.cutoff}.`);
  } else {
    say(
      `Done: erased ${describe(outcome.totals)} last active before ${outcome.cutoff}. Each batch is in the audit log as ${RETENTION_ACTION}.`,
    );
  }
} catch (error) {
  process.stderr.write(
    `retention failed: ${error instanceof Error ? error.message : String(error)}\nWhat was erased before this stays erased and is in the audit log. Fix the cause and run npm run retention again: it carries on with what is left.\n`,
  );
  process.exitCode = 1;
} finally {
  await recordingStorage?.close();
  db?.close();
}

function describe(totals: RetentionTotals): string {
  return `${plural(totals.applications, 'draft')}, ${plural(totals.calls, 'call')} (with their transcripts) and ${plural(totals.recordings, 'recording')}`;
}

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import type { Client } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/store/audit-log.ts';
import { openDatabase } from '../../src/store/database.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { migrate } from '../../src/store/migrations.ts';
import { runNode, type Finished } from '../support/cli.ts';
import { TEST_KEY_A, testDataKeys } from '../support/keys.ts';
import { callSid, seedApplicant } from '../support/retention.ts';

/** The restore drill of docs/backup-and-restore.md, on a real database file, with the CLIs run as an operator runs them. */

const BACKUP_CLI = join(import.meta.dirname, '../../src/cli/backup.ts');
const RESTORE_CLI = join(import.meta.dirname, '../../src/cli/restore.ts');

let dir: string;
let databaseUrl: string;
let databasePath: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'permitline-backup-'));
  databasePath = join(dir, 'data', 'permitline.db');
  databaseUrl = `file:${databasePath}`;
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function env(url = databaseUrl): Record<string, string> {
  return { NODE_ENV: 'test', DATABASE_URL: url, DATA_KEYS: TEST_KEY_A };
}
function backup(output: string, url = databaseUrl): Promise<Finished> {
  return runNode([BACKUP_CLI, '--output', output], env(url));
}
function restore(input: string, extra: readonly string[] = [], url = databaseUrl): Promise<Finished> {
  return runNode([RESTORE_CLI, '--input', input, ...extra], env(url));
}

async function withDatabase<T>(url: string, use: (db: Client) => Promise<T>): Promise<T> {
  const db = await openDatabase({ url });
  try {
    await migrate(db);
    return await use(db);
  } finally {
    db.close();
  }
}

/** Applicants with calls and texts, and staff audit entries: what a running service writes. */
async function write(db: Client, digits: string, auditEntries: number): Promise<void> {
  const cipher = new FieldCipher(testDataKeys());
  for (const digit of digits)
    await seedApplicant(db, cipher, {
      at: new Date(),
      callSid: callSid(digit),
      phone: `+1312555010${digit}`,
      business: `Business ${digit}`,
    });
  const audit = new AuditLog(db);
  for (let i = 0; i < auditEntries; i += 1)
    await audit.append({
      actor: 'staff:avery',
      action: 'application.viewed',
      subject: `app-${i}`,
      sourceAddress: '127.0.0.1',
    });
}

async function counts(url: string): Promise<{ applications: number; calls: number; audit: number }> {
  return withDatabase(url, async (db) => {
    const count = async (table: string) => Number((await db.execute(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);
    return { applications: await count('applications'), calls: await count('calls'), audit: await count('audit_log') };
  });
}

describe('npm run backup and npm run restore: the restore drill', () => {
  it('when a backup is taken while the database is written, then more is written and the backup restored, the database is as it was at the backup and its audit chain verifies', async () => {
    const output = join(dir, 'backup.db');
    const db = await openDatabase({ url: databaseUrl });
    await migrate(db);
    try {
      await write(db, '12', 3);
      // The service goes on writing while the backup runs: the copy must still be one instant's database.
      const audit = new AuditLog(db);
      const backupState = { running: true };
      const writer = (async () => {
        let i = 0;
        while (backupState.running) {
          // The local driver runs statements synchronously: yield, or the CLI's exit is never seen.
          await setImmediate();
          await audit.append({
            actor: 'staff:avery',
            action: 'call.viewed',
            subject: `call-${i}`,
            sourceAddress: '127.0.0.1',
          });
          i += 1;
        }
      })();
      const backedUp = await backup(output);
      backupState.running = false;
      await writer;

      expect(backedUp.stderr).toBe('');
      expect(backedUp.code).toBe(0);
      expect(backedUp.stdout).toMatch(
        new RegExp(
          `^Backed up to ${output.replaceAll('.', '\\.')} at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z, schema version \\d+: 2 applications, 2 calls, 2 queued or sent texts, \\d+ audit entries \\(\\d+ tables, \\d+ rows in all\\)\\.\\n$`,
        ),
      );
      const auditAtBackup = Number(/(\d+) audit entries/.exec(backedUp.stdout)?.[1]);
      expect(auditAtBackup).toBeGreaterThanOrEqual(3);

      // After the backup: another applicant and more audit entries, then every instance is stopped.
      await write(db, '3', 2);
    } finally {
      db.close();
    }
    const before = await counts(databaseUrl);
    expect(before.applications).toBe(3);

    const refused = await restore(output);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `The database at ${databasePath} holds data: restoring would replace it. Stop every instance, then run again with --force (the replaced database is kept beside it).\n`,
    );
    expect(await counts(databaseUrl)).toEqual(before);

    const restored = await restore(output, ['--force']);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    const lines = restored.stdout.split('\n');
    expect(lines[0]).toMatch(/^Restored the backup taken at .+Z \(schema version \d+\) to .+permitline\.db\.$/);
    expect(lines[1]).toMatch(/^The database it replaced is kept at .+permitline\.db\.before-restore-[\dT-]+\.\d+Z\.$/);
    const auditAtBackup = Number(/(\d+) audit entries/.exec(restored.stdout)?.[1]);
    expect(lines.slice(2)).toEqual([
      expect.stringMatching(/^Now holds 2 applications, 2 calls, 2 queued or sent texts, \d+ audit entries/),
      `Audit log intact: ${auditAtBackup} entries.`,
      '',
    ]);

    expect(await counts(databaseUrl)).toEqual({ applications: 2, calls: 2, audit: auditAtBackup });
    expect(await withDatabase(databaseUrl, (restoredDb) => new AuditLog(restoredDb).verify())).toEqual({
      ok: true,
      entries: auditAtBackup,
    });
    // --force set the replaced database aside whole, with what was written after the backup.
    const keptAt = lines[1]?.replace(/^The database it replaced is kept at /, '').replace(/\.$/, '') ?? '';
    expect(await counts(`file:${keptAt}`)).toEqual(before);
    // The restored database takes writes again, and its chain goes on.
    await withDatabase(databaseUrl, (again) => write(again, '4', 1));
    expect(await withDatabase(databaseUrl, (again) => new AuditLog(again).verify())).toEqual({
      ok: true,
      entries: auditAtBackup + 1,
    });
  }, 60_000);

  it('when there is no database yet, then the backup is restored without --force', async () => {
    const output = join(dir, 'backup.db');
    await withDatabase(databaseUrl, (db) => write(db, '1', 2));
    expect((await backup(output)).code).toBe(0);
    const elsewhere = `file:${join(dir, 'new', 'permitline.db')}`;

    const restored = await restore(output, [], elsewhere);

    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain('Audit log intact: 2 entries.');
    expect(await counts(elsewhere)).toEqual({ applications: 1, calls: 1, audit: 2 });
  });

  it('when the backup’s audit log was altered, then restore says it does not verify and exits 1', async () => {
    const output = join(dir, 'backup.db');
    await withDatabase(databaseUrl, (db) => write(db, '1', 3));
    expect((await backup(output)).code).toBe(0);
    const altered = await openDatabase({ url: `file:${output}` });
    // The append-only trigger is in the copy too: whoever alters a backup drops it first.
    await altered.execute('DROP TRIGGER audit_log_no_update');
    await altered.execute("UPDATE audit_log SET subject = 'app-9' WHERE seq = 2");
    altered.close();

    const restored = await restore(output, [], `file:${join(dir, 'new', 'permitline.db')}`);

    expect(restored.code).toBe(1);
    expect(restored.stdout).toMatch(/\nRow 2: .+\n/);
    expect(restored.stdout).toMatch(
      /The restored audit log does not verify: do not start the service on it; restore another backup \(docs\/backup-and-restore\.md\)\.\n$/,
    );
  });

  it('when the file is not a PermitLine backup, or rows were removed from it, then restore refuses and changes nothing', async () => {
    await withDatabase(databaseUrl, (db) => write(db, '1', 1));
    const target = `file:${join(dir, 'new', 'permitline.db')}`;
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not a database\n'.repeat(100));

    for (const input of [text, databasePath]) {
      const refused = await restore(input, ['--force'], target);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(`${input} is not a PermitLine backup: name a file made by npm run backup.\n`);
    }
    const missing = await restore(join(dir, 'missing.db'), [], target);
    expect(missing.stderr).toBe(`${join(dir, 'missing.db')} does not exist: name a file made by npm run backup.\n`);

    const output = join(dir, 'backup.db');
    expect((await backup(output)).code).toBe(0);
    const cut = await openDatabase({ url: `file:${output}` });
    await cut.execute('DELETE FROM call_turns');
    cut.close();
    const truncated = await restore(output, [], target);
    expect(truncated.code).toBe(1);
    expect(truncated.stderr).toBe(
      `${output} does not hold what its manifest says (call_turns differ): it was changed after the backup; use another backup.\n`,
    );
    expect(existsSync(join(dir, 'new', 'permitline.db'))).toBe(false);
  });

  it('when the output exists, the database is Turso, or an option is missing, then backup refuses with one sentence', async () => {
    await withDatabase(databaseUrl, (db) => write(db, '1', 0));
    const output = join(dir, 'backup.db');
    writeFileSync(output, 'an earlier backup');

    const exists = await backup(output);
    expect(exists.code).toBe(1);
    expect(exists.stderr).toBe(
      `${output} already exists: name a new file, so that no earlier backup is overwritten.\n`,
    );

    const turso = await backup(join(dir, 'other.db'), 'libsql://permitline-example.turso.io');
    expect(turso.code).toBe(1);
    expect(turso.stderr).toContain('back up Turso with its point-in-time restore or turso db shell');

    const none = await runNode([BACKUP_CLI], env());
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(
      'Name the file to write the backup to with --output.\nUsage: npm run backup -- --output FILE\n',
    );
    const noInput = await runNode([RESTORE_CLI], env());
    expect(noInput.code).toBe(1);
    expect(noInput.stderr).toBe(
      'Name the backup to restore with --input.\nUsage: npm run restore -- --input FILE [--force]\n',
    );
  });
});

import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createClient, type Client } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, GENESIS_HASH, type AuditEntry } from '../../src/store/audit-log.ts';
import { openDatabase } from '../../src/store/database.ts';
import { migrate } from '../../src/store/migrations.ts';
import { AUDIT_VERIFY_CLI, runNode, type Finished } from '../support/cli.ts';
import { TEST_KEY_A } from '../support/keys.ts';
import { tempDatabaseFile } from '../support/service.ts';

const AUDIT_LOG_MODULE = pathToFileURL(join(import.meta.dirname, '../../src/store/audit-log.ts')).href;
const DATABASE_MODULE = pathToFileURL(join(import.meta.dirname, '../../src/store/database.ts')).href;

let file: ReturnType<typeof tempDatabaseFile>;
let db: Client;
let clock: Date;
const now = () => clock;

function entry(n: number): AuditEntry {
  return {
    actor: 'dana.ortiz',
    action: 'application.view',
    subject: `application:app-${n}`,
    sourceAddress: '192.0.2.10',
    detail: { reference: `FP-2031-${1000 + n}` },
  };
}

async function appendEntries(log: AuditLog, count: number): Promise<void> {
  for (let n = 1; n <= count; n += 1) {
    await log.append(entry(n));
    clock = new Date(clock.getTime() + 1_000);
  }
}

function auditVerify(): Promise<Finished> {
  return runNode([AUDIT_VERIFY_CLI], { DATABASE_URL: file.url, NODE_ENV: 'test', DATA_KEYS: TEST_KEY_A });
}

/** Someone with write access to the file, using their own connection: the triggers are in their way only until dropped. */
async function tamper(...statements: string[]): Promise<void> {
  db.close();
  const intruder = createClient({ url: file.url });
  try {
    await intruder.batch(
      ['DROP TRIGGER audit_log_no_update', 'DROP TRIGGER audit_log_no_delete', ...statements],
      'write',
    );
  } finally {
    intruder.close();
  }
}

beforeEach(async () => {
  clock = new Date('2031-03-04T09:00:00.000Z');
  file = tempDatabaseFile();
  db = await openDatabase({ url: file.url });
  await migrate(db);
});
afterEach(() => {
  db.close();
  file.cleanup();
});

describe('audit log', () => {
  it('when entries are appended, then each gets the next seq, the time, and links to the hash of the one before', async () => {
    const log = new AuditLog(db, now);

    const first = await log.append(entry(1));
    const second = await log.append({
      actor: 'cli:ops',
      action: 'staff.add',
      subject: 'user:u-1',
      sourceAddress: 'local',
    });

    expect(first).toEqual({
      ...entry(1),
      seq: 1,
      at: '2031-03-04T09:00:00.000Z',
      prevHash: GENESIS_HASH,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
    });
    expect(second.seq).toBe(2);
    expect(second.prevHash).toBe(first.hash);
    expect(second.detail).toEqual({});
    expect(second.hash).not.toBe(first.hash);
  });

  it('when pages are read, then they come newest first, before the given seq, at most limit long', async () => {
    const log = new AuditLog(db, now);
    await appendEntries(log, 7);

    const newest = await log.page({ limit: 3 });
    const older = await log.page({ before: newest.at(-1)!.seq, limit: 3 });
    const oldest = await log.page({ before: older.at(-1)!.seq, limit: 3 });

    expect(newest.map((r) => r.seq)).toEqual([7, 6, 5]);
    expect(older.map((r) => r.seq)).toEqual([4, 3, 2]);
    expect(oldest.map((r) => r.seq)).toEqual([1]);
    expect(oldest[0]).toEqual({
      ...entry(1),
      seq: 1,
      at: '2031-03-04T09:00:00.000Z',
      prevHash: GENESIS_HASH,
      hash: expect.any(String) as string,
    });
  });

  it('when the detail has keys in any order, then it is stored in one canonical form and read back equal', async () => {
    const log = new AuditLog(db, now);

    await log.append({ ...entry(1), detail: { zeta: 1, alpha: true, mid: 'x' } });

    const stored = await db.execute('SELECT detail FROM audit_log');
    expect(stored.rows[0]?.detail).toBe('{"alpha":true,"mid":"x","zeta":1}');
    expect((await log.page({ limit: 1 }))[0]?.detail).toEqual({ zeta: 1, alpha: true, mid: 'x' });
  });

  it('when a detail value is not a finite number, then append refuses it rather than store null', async () => {
    await expect(new AuditLog(db, now).append({ ...entry(1), detail: { count: Number.NaN } })).rejects.toThrow(
      /finite number/,
    );
  });

  it('when nothing was touched, then verify says ok with the number of entries, including for an empty log', async () => {
    const log = new AuditLog(db, now);
    expect(await log.verify()).toEqual({ ok: true, entries: 0 });

    await appendEntries(log, 5);

    expect(await log.verify()).toEqual({ ok: true, entries: 5 });
  });

  it('when the service itself tries to change or delete a row, then the database refuses', async () => {
    await appendEntries(new AuditLog(db, now), 2);

    await expect(db.execute("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 1")).rejects.toThrow(
      /append-only/,
    );
    await expect(db.execute('DELETE FROM audit_log WHERE seq = 2')).rejects.toThrow(/append-only/);
  });

  it('when a row is edited and its hash recomputed to match, then the next row reports the broken link', async () => {
    await appendEntries(new AuditLog(db, now), 4);
    await tamper("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2");
    const intruder = createClient({ url: file.url });
    const row = (await intruder.execute('SELECT * FROM audit_log WHERE seq = 2')).rows[0]!;
    // Recompute as the log does: the intruder has read the source.
    const fields = [
      'permitline-audit-v1',
      2,
      row.at,
      row.actor,
      row.action,
      row.subject,
      row.source_address,
      row.detail,
      row.prev_hash,
    ];
    await intruder.execute({
      sql: 'UPDATE audit_log SET hash = ? WHERE seq = 2',
      args: [createHash('sha256').update(JSON.stringify(fields)).digest('hex')],
    });
    intruder.close();
    db = await openDatabase({ url: file.url });

    expect(await new AuditLog(db).verify()).toEqual({
      ok: false,
      entries: 4,
      problems: [
        {
          seq: 3,
          problem: "does not follow row 2 (its link to that row's hash is broken: row 2 was changed or replaced)",
        },
      ],
    });
  });

  it('when two clients on one database file append at the same time, then every entry gets its own seq and the chain verifies', async () => {
    const other = await openDatabase({ url: file.url });
    try {
      const logs = [new AuditLog(db), new AuditLog(other)];
      const perClient = 40;

      const appended = await Promise.all(
        logs.map(async (log, client) => {
          const records = [];
          for (let n = 0; n < perClient; n += 1)
            records.push(await log.append({ ...entry(n), actor: `client-${client}` }));
          return records;
        }),
      );

      const seqs = appended
        .flat()
        .map((r) => r.seq)
        .sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: 2 * perClient }, (_, i) => i + 1));
      expect(await new AuditLog(other).verify()).toEqual({ ok: true, entries: 2 * perClient });
    } finally {
      other.close();
    }
  });

  it('when two processes append to one database file at the same time, then the chain verifies with every entry', async () => {
    const perProcess = 100;
    const script = `
      const { AuditLog } = await import(${JSON.stringify(AUDIT_LOG_MODULE)});
      const { openDatabase } = await import(${JSON.stringify(DATABASE_MODULE)});
      const db = await openDatabase({ url: process.env.DATABASE_URL });
      const log = new AuditLog(db);
      // Both start at the same moment, whatever their start-up took.
      await new Promise((resolve) => setTimeout(resolve, Number(process.env.START_AT) - Date.now()));
      for (let n = 0; n < ${perProcess}; n += 1) await log.append({ actor: process.env.ACTOR, action: 'test.append', subject: 'n:' + n, sourceAddress: 'local' });
      db.close();
    `;

    const startAt = String(Date.now() + 1_500);
    const finished = await Promise.all(
      ['process-a', 'process-b'].map((actor) =>
        runNode(['--input-type=module', '-e', script], { DATABASE_URL: file.url, ACTOR: actor, START_AT: startAt }),
      ),
    );

    expect(finished.map((f) => [f.code, f.stderr])).toEqual([
      [0, ''],
      [0, ''],
    ]);
    expect(await new AuditLog(db).verify()).toEqual({ ok: true, entries: 2 * perProcess });
  });
});

describe('npm run audit:verify', () => {
  it('when the log is untouched, then it prints that it is intact with the count and exits 0', async () => {
    await appendEntries(new AuditLog(db, now), 5);
    db.close();

    const result = await auditVerify();

    expect(result.stdout).toBe('Audit log intact: 5 entries.\n');
    expect(result.code).toBe(0);
  });

  it('when one field of a row is edited in the file, then it exits 1 naming that row as edited', async () => {
    await appendEntries(new AuditLog(db, now), 5);
    await tamper("UPDATE audit_log SET subject = 'application:app-99' WHERE seq = 3");

    const result = await auditVerify();

    expect(result.stdout).toBe('Row 3: edited (its hash does not match its contents)\n');
    expect(result.code).toBe(1);
  });

  it('when a middle row is deleted from the file, then it exits 1 naming the missing row', async () => {
    await appendEntries(new AuditLog(db, now), 5);
    await tamper('DELETE FROM audit_log WHERE seq = 3');

    const result = await auditVerify();

    expect(result.stdout).toBe("Row 3: missing (row 2's successor should be 3)\n");
    expect(result.code).toBe(1);
  });

  it('when the last row is deleted from the file, then the head gives it away: it exits 1 naming that row', async () => {
    await appendEntries(new AuditLog(db, now), 5);
    await tamper('DELETE FROM audit_log WHERE seq = 5');

    const result = await auditVerify();

    expect(result.stdout).toBe('Row 5: the log ends at 4 but the head says 5: rows after 4 were deleted\n');
    expect(result.code).toBe(1);
  });

  it('when the head row is deleted, then it exits 1 saying so', async () => {
    await appendEntries(new AuditLog(db, now), 2);
    await tamper('DROP TRIGGER audit_head_no_delete', 'DELETE FROM audit_head');

    const result = await auditVerify();

    expect(result.stdout).toMatch(/^Audit head: the audit head is missing/);
    expect(result.code).toBe(1);
  });

  it('when a row is added by hand after the head, then it exits 1 naming that row', async () => {
    await appendEntries(new AuditLog(db, now), 2);
    await tamper(`INSERT INTO audit_log (seq, at, actor, action, subject, source_address, detail, prev_hash, hash)
                  SELECT 3, at, actor, action, subject, source_address, detail, hash, hash FROM audit_log WHERE seq = 2`);

    const result = await auditVerify();

    expect(result.stdout).toContain('Row 3: edited (its hash does not match its contents)\n');
    expect(result.stdout).toContain(
      'Row 3: the head says the log ends at 2 but it goes on to 3: rows after 2 were added outside the audit log\n',
    );
    expect(result.code).toBe(1);
  });
});

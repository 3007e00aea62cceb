import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallRecordings } from '../../src/recording/call-recordings.ts';
import { LocalDirectoryRecordingStore } from '../../src/recording/recording-store.ts';
import { ApplicantErasure } from '../../src/store/applicant-erasure.ts';
import { ApplicationRepository } from '../../src/store/application-repository.ts';
import { AuditLog } from '../../src/store/audit-log.ts';
import { CallRepository } from '../../src/store/call-repository.ts';
import { openDatabase } from '../../src/store/database.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { JobLeases } from '../../src/store/job-leases.ts';
import { Retention, RETENTION_ACTION, type RetentionTotals } from '../../src/store/retention.ts';
import { openTestDatabase, type TestDatabase } from '../support/database.ts';
import { testDataKeys } from '../support/keys.ts';
import { auditRows, callSid, DAY_MS, seedApplicant } from '../support/retention.ts';

/**
 * The retention job on a real database and real (encrypted) recording files:
 * what is past the window is erased through the erasure path and audited,
 * nothing newer is touched, a second run finds nothing, and two runs at once
 * erase each record once.
 */

const NOW = new Date('2026-12-01T12:00:00.000Z');
const DAYS = 90;
const ago = (days: number, extraMs = 0): Date => new Date(NOW.getTime() - days * DAY_MS - extraMs);
const cipher = new FieldCipher(testDataKeys());
const ACTOR = 'cli:tester';

let database: TestDatabase;
let db: Client;
let dir: string;
let recordings: CallRecordings;

beforeEach(async () => {
  database = await openTestDatabase();
  db = database.db;
  dir = mkdtempSync(join(tmpdir(), 'permitline-retention-'));
  recordings = new CallRecordings(new LocalDirectoryRecordingStore(dir), testDataKeys());
});
afterEach(() => {
  database.close();
  rmSync(dir, { recursive: true, force: true });
});

function retentionOver(client: Client, batchSize?: number): Retention {
  return new Retention({
    db: client,
    erasure: new ApplicantErasure(client, cipher, () => NOW),
    audit: new AuditLog(client, () => NOW),
    leases: new JobLeases(client, () => NOW),
    recordings,
    now: () => NOW,
    ...(batchSize === undefined ? {} : { batchSize }),
  });
}

const run = (retention: Retention, onBatch?: (totals: RetentionTotals) => void) =>
  retention.run({ days: DAYS, actor: ACTOR, sourceAddress: 'local', ...(onBatch === undefined ? {} : { onBatch }) });

/** Old and new applicants on both sides of the window. */
async function seedBothSides() {
  const seed = (digit: string, at: Date, more: { reference?: string; callAt?: Date } = {}) =>
    seedApplicant(db, cipher, {
      at,
      callSid: callSid(digit),
      phone: `+1312555010${digit}`,
      business: `Business ${digit}`,
      recordings,
      ...more,
    });
  return {
    abandoned: await seed('1', ago(DAYS, 60_000)), // a draft left a minute past the window
    recent: await seed('2', ago(DAYS, -60_000)), // a draft last touched a minute inside it
    submitted: await seed('3', ago(400), { reference: 'FP-2025-ABC234' }),
    resumed: await seed('4', ago(200), { callAt: ago(5) }), // an old draft a caller came back to five days ago
  };
}

describe('the retention job', () => {
  it('when drafts and calls are past the window, then exactly those are erased, recordings too, audited; newer ones and submitted applications are kept', async () => {
    const seeded = await seedBothSides();
    const applications = new ApplicationRepository(db, cipher);
    const calls = new CallRepository(db, cipher);

    const outcome = await run(retentionOver(db));

    expect(outcome).toEqual({
      kind: 'done',
      cutoff: ago(DAYS).toISOString(),
      totals: { applications: 1, calls: 2, recordings: 2 },
    });
    // The abandoned draft: its personal answers, number, text, call, transcript and recording are gone.
    expect((await applications.find(seeded.abandoned.applicationId))?.fields).toEqual({
      permitType: 'temporary_food_event',
      healthDistrict: 'Central',
    });
    expect((await applications.outboxFor(seeded.abandoned.applicationId))[0]).toMatchObject({
      toPhone: '',
      body: '',
      status: 'failed',
    });
    expect((await calls.find(seeded.abandoned.callSid))?.fromPhone).toBe('');
    expect(await calls.transcript(seeded.abandoned.callSid)).toEqual([]);
    expect(await recordings.load(seeded.abandoned.callSid)).toBeUndefined();
    // The submitted application is kept whole; only its old call (number, transcript, recording) is erased.
    const submitted = await applications.find(seeded.submitted.applicationId);
    expect(submitted).toMatchObject({ status: 'submitted', fields: { businessName: 'Business 3' } });
    expect(await calls.transcript(seeded.submitted.callSid)).toEqual([]);
    expect(await recordings.load(seeded.submitted.callSid)).toBeUndefined();
    // Inside the window: untouched. The old draft a caller came back to counts from that call.
    for (const kept of [seeded.recent, seeded.resumed]) {
      expect((await applications.find(kept.applicationId))?.fields.applicantName).toMatch(/^Owner of Business/);
      expect((await calls.find(kept.callSid))?.fromPhone).toMatch(/^\+1312555010/);
      expect(await calls.transcript(kept.callSid)).toHaveLength(1);
      expect((await recordings.load(kept.callSid))?.toString()).toMatch(/^RIFF a recording/);
    }

    expect(await auditRows(db, RETENTION_ACTION)).toEqual([
      expect.objectContaining({
        actor: ACTOR,
        subject: `older than ${ago(DAYS).toISOString()}`,
        source_address: 'local',
        detail: { applications: 1, calls: 2, recordings: 2, retentionDays: DAYS },
      }),
    ]);
    expect(await new AuditLog(db).verify()).toEqual({ ok: true, entries: 1 });
  });

  it('when it runs again, then it finds nothing, changes nothing and writes no audit row', async () => {
    await seedBothSides();
    await run(retentionOver(db));
    const before = await snapshot(db);

    const again = await run(retentionOver(db));

    expect(again).toMatchObject({ kind: 'done', totals: { applications: 0, calls: 0, recordings: 0 } });
    expect(await snapshot(db)).toEqual(before);
    expect(await auditRows(db, RETENTION_ACTION)).toHaveLength(1);
  });

  it('when there is more than a batch, then it goes batch by batch, reporting and auditing each', async () => {
    for (const digit of ['5', '6', '7'])
      await seedApplicant(db, cipher, {
        at: ago(DAYS + 10),
        callSid: callSid(digit),
        phone: `+1312555010${digit}`,
        business: `Business ${digit}`,
      });
    const progress: RetentionTotals[] = [];

    const outcome = await run(retentionOver(db, 2), (totals) => progress.push(totals));

    expect(outcome).toMatchObject({ totals: { applications: 3, calls: 3, recordings: 0 } });
    expect(progress).toEqual([
      { applications: 2, calls: 2, recordings: 0 },
      { applications: 3, calls: 3, recordings: 0 },
    ]);
    expect((await auditRows(db, RETENTION_ACTION)).map((row) => row.detail)).toEqual([
      { applications: 2, calls: 2, recordings: 0, retentionDays: DAYS },
      { applications: 1, calls: 1, recordings: 0, retentionDays: DAYS },
    ]);
  });

  it('when two instances run it at once over one database, then each record is erased and audited once', async () => {
    for (const digit of ['1', '2', '3', '4', '5', '6'])
      await seedApplicant(db, cipher, {
        at: ago(DAYS + 1),
        callSid: callSid(digit),
        phone: `+1312555010${digit}`,
        business: `Business ${digit}`,
        recordings,
      });
    // A second connection to the same file, as another instance has.
    const other = await openDatabase({ url: database.url });
    try {
      const outcomes = await Promise.all([run(retentionOver(db, 1)), run(retentionOver(other, 1))]);

      const done = outcomes.flatMap((o) => (o.kind === 'done' ? [o.totals] : []));
      expect(done.length).toBeGreaterThanOrEqual(1);
      const sum = (key: keyof RetentionTotals) => done.reduce((total, totals) => total + totals[key], 0);
      expect([sum('applications'), sum('calls'), sum('recordings')]).toEqual([6, 6, 6]);
      const audited = (await auditRows(db, RETENTION_ACTION)).map((row) => row.detail as RetentionTotals);
      expect(audited.reduce((total, d) => total + d.calls, 0)).toBe(6);
      expect(audited.reduce((total, d) => total + d.recordings, 0)).toBe(6);
      expect(await new AuditLog(db).verify()).toMatchObject({ ok: true });
      const left = await db.execute('SELECT count(*) AS n FROM calls WHERE erased_at IS NULL');
      expect(Number(left.rows[0]?.n)).toBe(0);
    } finally {
      other.close();
    }
  });

  it('when another run holds the lease, then this one does nothing and says until when', async () => {
    await seedBothSides();
    await new JobLeases(db, () => NOW).take('retention', 'another-instance', 60_000);

    const outcome = await run(retentionOver(db));

    expect(outcome).toEqual({
      kind: 'busy',
      cutoff: ago(DAYS).toISOString(),
      heldUntil: new Date(NOW.getTime() + 60_000).toISOString(),
    });
    expect(await auditRows(db, RETENTION_ACTION)).toEqual([]);
    const erased = await db.execute('SELECT count(*) AS n FROM calls WHERE erased_at IS NOT NULL');
    expect(Number(erased.rows[0]?.n)).toBe(0);
  });
});

/** Everything the job could change. */
async function snapshot(client: Client): Promise<unknown> {
  const tables = ['applications', 'application_fields', 'calls', 'call_turns', 'sms_outbox', 'audit_log'];
  const results = await client.batch(
    tables.map((table) => `SELECT * FROM ${table} ORDER BY 1, 2`),
    'read',
  );
  return results.map((r) => r.rows.map((row) => ({ ...row })));
}

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApplicationService } from '../../src/intake/application-service.ts';
import { PermitRules } from '../../src/permits/permit-rules.ts';
import { ApplicationRepository, ReferenceCollisionError } from '../../src/store/application-repository.ts';
import { CallBackRequests } from '../../src/store/call-back-requests.ts';
import { CallRepository } from '../../src/store/call-repository.ts';
import { openDatabase } from '../../src/store/database.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { isSchemaCurrent, loadMigrations, migrate } from '../../src/store/migrations.ts';
import { rekeyDatabase } from '../../src/store/rekey.ts';
import { SmsConsentRepository } from '../../src/store/sms-consent-repository.ts';
import { completeApplication, TODAY } from '../support/applications.ts';
import { openTestDatabase, type TestDatabase } from '../support/database.ts';
import { TEST_KEY_A, TEST_KEY_B, testDataKeys } from '../support/keys.ts';

let db: Client;
let database: TestDatabase;
const rules = new PermitRules({ healthDistricts: ['Central', 'North County'], today: () => TODAY });
const now = () => new Date(`${TODAY}T18:00:00Z`);
const CALL_SID = `CA${'5'.repeat(32)}`;

function serviceWith(keys: string) {
  const repository = new ApplicationRepository(db, new FieldCipher(testDataKeys(keys)), now);
  return {
    repository,
    applications: new ApplicationService({ repository, rules, timeZone: 'America/Los_Angeles', now }),
  };
}

beforeEach(async () => {
  database = await openTestDatabase();
  db = database.db;
});
afterEach(() => {
  database.close();
});

describe('migrations', () => {
  it('when applied twice, then the second run applies nothing and the schema is current', async () => {
    expect(await migrate(db)).toEqual([]);
    const recorded = await db.execute('SELECT version FROM schema_migrations');
    expect(recorded.rows.map((r) => r.version)).toEqual(loadMigrations().map((m) => m.version));
    expect(await isSchemaCurrent(db)).toBe(true);
  });

  it('when texts were queued before the outbox had kinds, then migrating keeps each of them, with its state, as a summary', async () => {
    const older = await openDatabase({ url: ':memory:' });
    await migrate(
      older,
      loadMigrations().filter((m) => m.version <= 3),
    );
    const now = new Date().toISOString();
    await older.batch(
      [
        {
          sql: "INSERT INTO applications (id, channel, created_at, updated_at) VALUES ('app-1', 'web', ?, ?)",
          args: [now, now],
        },
        {
          sql: "INSERT INTO sms_outbox (id, application_id, to_phone, to_phone_hash, body, status, attempts, created_at, updated_at, message_sid) VALUES ('sms-1', 'app-1', 'enc', 'hash', 'enc', 'sent', 1, ?, ?, 'SM1')",
          args: [now, now],
        },
      ],
      'write',
    );

    await migrate(older);

    const rows = await older.execute('SELECT id, kind, status, attempts, message_sid FROM sms_outbox');
    expect(rows.rows.map((r) => ({ ...r }))).toEqual([
      { id: 'sms-1', kind: 'summary', status: 'sent', attempts: 1, message_sid: 'SM1' },
    ]);
    await expect(
      older.execute({
        sql: "INSERT INTO sms_outbox (id, application_id, kind, to_phone, to_phone_hash, body, created_at, updated_at) VALUES ('sms-2', 'app-1', 'summary', 'e', 'h', 'e', ?, ?)",
        args: [now, now],
      }),
    ).rejects.toThrow(/UNIQUE/);
    older.close();
  });

  it('when a migration fails halfway, then none of it is applied and it is not recorded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'permitline-migrations-'));
    writeFileSync(join(dir, '001_first.sql'), 'CREATE TABLE kept (a INTEGER);\n');
    writeFileSync(join(dir, '002_broken.sql'), 'CREATE TABLE half_done (a INTEGER);\nTHIS IS NOT SQL;\n');
    const fresh = await openDatabase({ url: ':memory:' });

    await expect(migrate(fresh, loadMigrations(dir))).rejects.toThrow(/002_broken\.sql failed and was rolled back/);
    const tables = await fresh.execute("SELECT name FROM sqlite_master WHERE type = 'table'");
    const names = tables.rows.map((r) => r.name);
    expect(names).toContain('kept');
    expect(names).not.toContain('half_done');
    expect(await isSchemaCurrent(fresh, loadMigrations(dir))).toBe(false);
    fresh.close();
  });
});

describe('drafts', () => {
  it('when answers arrive field by field, then each accepted one is saved at once and readable by a fresh connection', async () => {
    const { applications } = serviceWith(TEST_KEY_A);
    const id = await applications.startDraft('voice');

    const first = await applications.updateDraft(id, {
      permitType: 'cottage_food_operation',
      applicantName: 'Rosa Delgado',
      contactPhone: 'not a phone',
    });
    expect(first.accepted).toEqual(['permitType', 'applicantName']);
    expect(first.problems.map((p) => p.field)).toEqual(['contactPhone']);
    expect(first.missing).toContain('homeAddress');
    await applications.updateDraft(id, { contactPhone: '212 555 0142' });

    // A second repository over the same file: what a restarted process would see.
    const { repository } = serviceWith(TEST_KEY_A);
    const stored = await repository.find(id);
    expect(stored?.fields).toEqual({
      permitType: 'cottage_food_operation',
      applicantName: 'Rosa Delgado',
      contactPhone: '+12125550142',
    });
    expect(stored?.capturedAt.applicantName).toBe(now().toISOString());
  });

  it('when personal fields are stored, then their column holds a token, not the value, and other fields stay plain JSON', async () => {
    const { applications } = serviceWith(TEST_KEY_A);
    const id = await applications.startDraft('voice');
    await applications.updateDraft(id, {
      permitType: 'food_establishment',
      applicantName: 'Rosa Delgado',
      entityType: 'llc',
    });

    const rows = await db.execute({
      sql: 'SELECT field, value, encrypted FROM application_fields WHERE application_id = ? ORDER BY field',
      args: [id],
    });
    const byField = Object.fromEntries(
      rows.rows.map((r) => [r.field as string, { value: r.value as string, encrypted: r.encrypted }]),
    );
    expect(byField.applicantName?.encrypted).toBe(1);
    expect(byField.applicantName?.value).toMatch(/^v1\.ka\./);
    expect(byField.applicantName?.value).not.toContain('Rosa');
    expect(byField.entityType).toMatchObject({ value: '"llc"', encrypted: 0 });
  });

  it('when a field is cleared or the permit type changes, then the stored rows follow', async () => {
    const { applications, repository } = serviceWith(TEST_KEY_A);
    const id = await applications.startDraft('voice');
    await applications.updateDraft(id, {
      permitType: 'cottage_food_operation',
      homeAddress: '12 Elm Court',
      email: 'rosa@example.org',
    });
    const update = await applications.updateDraft(id, { permitType: 'food_establishment', email: null });

    expect(update.cleared).toEqual(expect.arrayContaining(['homeAddress', 'email']));
    const stored = await repository.find(id);
    expect(stored?.fields).toEqual({ permitType: 'food_establishment' });
  });

  it('when a caller phones again, then the draft is found by the keyed hash of the number', async () => {
    const { applications, repository } = serviceWith(TEST_KEY_A);
    const id = await applications.startDraft('voice');
    await applications.updateDraft(id, { contactPhone: '(212) 555-0142' });

    expect((await repository.findDraftByContactPhone('+12125550142', new Date(0)))?.id).toBe(id);
    expect(await repository.findDraftByContactPhone('+12125550143', new Date(0))).toBeUndefined();
    expect(await repository.findDraftByContactPhone('+12125550142', new Date(now().getTime() + 1000))).toBeUndefined();
  });
});

describe('submission', () => {
  it('when a complete draft is submitted, then it gets a readable reference and one pending SMS summary', async () => {
    const { applications, repository } = serviceWith(TEST_KEY_A);
    const id = await applications.startDraft('voice');
    await applications.updateDraft(id, completeApplication('temporary_food_event'));

    const result = await applications.submit(id);
    expect(result).toMatchObject({ ok: true, alreadySubmitted: false });
    const reference = result.ok ? result.reference : '';
    expect(reference).toMatch(/^FP-2026-[2-9A-HJKMNP-Z]{6}$/);
    const outbox = await repository.outboxFor(id);
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ status: 'pending', toPhone: '+12125550142' });
    expect(outbox[0]?.body).toContain(reference);
    expect(outbox[0]?.body).toContain('Taco Loco, Mar 3-4, 2027');
  });

  it('when submit is called again, even concurrently, then the same reference comes back and one SMS row exists', async () => {
    const { applications, repository } = serviceWith(TEST_KEY_A);
    const id = await applications.startDraft('voice');
    await applications.updateDraft(id, completeApplication('mobile_food_unit'));

    const results = await Promise.all([applications.submit(id), applications.submit(id), applications.submit(id)]);
    const again = await applications.submit(id);
    const references = new Set([...results, again].map((r) => (r.ok ? r.reference : 'failed')));
    expect(references.size).toBe(1);
    expect(again).toMatchObject({ ok: true, alreadySubmitted: true });
    expect(await repository.outboxFor(id)).toHaveLength(1);
    expect((await db.execute("SELECT count(*) AS n FROM applications WHERE status = 'submitted'")).rows[0]?.n).toBe(1);
  });

  it('when the draft is incomplete, then submit lists what is missing and stores nothing new', async () => {
    const { applications } = serviceWith(TEST_KEY_A);
    const id = await applications.startDraft('voice');
    await applications.updateDraft(id, { permitType: 'food_establishment', businessName: 'Taco Loco' });

    const result = await applications.submit(id);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.missing).toEqual(
        expect.arrayContaining(['applicantName', 'establishmentAddress', 'openingDate', 'attestation']),
      );
    expect((await db.execute('SELECT count(*) AS n FROM sms_outbox')).rows[0]?.n).toBe(0);
  });

  it('when the applicant declined texts, then no SMS is queued', async () => {
    const { applications, repository } = serviceWith(TEST_KEY_A);
    const id = await applications.startDraft('voice');
    await applications.updateDraft(id, { ...completeApplication('cottage_food_operation'), smsConsent: false });

    expect(await applications.submit(id)).toMatchObject({ ok: true, textMessageQueued: false });
    expect(await repository.outboxFor(id)).toEqual([]);
  });

  it('when a submitted application gets a late update, then nothing changes', async () => {
    const { applications, repository } = serviceWith(TEST_KEY_A);
    const id = await applications.startDraft('voice');
    await applications.updateDraft(id, completeApplication('food_establishment'));
    await applications.submit(id);

    const late = await applications.updateDraft(id, { businessName: 'Another Name' });
    expect(late.accepted).toEqual([]);
    expect(late.problems[0]?.message).toContain('already been submitted');
    expect((await repository.find(id))?.fields.businessName).toBe('Taco Loco');
  });

  it('when a reference is already taken, then the repository says so and the draft stays a draft', async () => {
    const { applications, repository } = serviceWith(TEST_KEY_A);
    const first = await applications.startDraft('voice');
    await applications.updateDraft(first, completeApplication('food_establishment'));
    const submitted = await applications.submit(first);
    const second = await applications.startDraft('voice');

    await expect(
      repository.markSubmitted(second, submitted.ok ? submitted.reference : '', undefined),
    ).rejects.toBeInstanceOf(ReferenceCollisionError);
    expect((await repository.find(second))?.status).toBe('draft');
  });
});

describe('key rotation', () => {
  async function seed() {
    const { applications } = serviceWith(TEST_KEY_A);
    const ids: string[] = [];
    for (const type of ['temporary_food_event', 'mobile_food_unit', 'cottage_food_operation'] as const) {
      const id = await applications.startDraft('voice');
      await applications.updateDraft(id, completeApplication(type));
      await applications.submit(id);
      ids.push(id);
    }
    const draft = await applications.startDraft('voice');
    await applications.updateDraft(draft, { contactPhone: '212-555-0199', applicantName: 'Lee Park' });
    const calls = new CallRepository(db, new FieldCipher(testDataKeys(TEST_KEY_A)), now);
    await calls.recordIncoming(CALL_SID, '+12125550199', 'ringing');
    await calls.saveTurn(CALL_SID, {
      itemId: 'item_1',
      position: 1,
      role: 'caller',
      text: 'My name is Lee Park.',
      offsetMs: 1200,
    });
    await new SmsConsentRepository(db, new FieldCipher(testDataKeys(TEST_KEY_A)), now).optOut('+12125550199', 'STOP');
    await new CallBackRequests(db, new FieldCipher(testDataKeys(TEST_KEY_A)), now).recordCallBack({
      callSid: CALL_SID,
      callerNumber: '+12125550199',
      language: 'es',
      applicationId: draft,
    });
    return { ids, draft };
  }

  it('when a new key is put first, then rows under the old key still read and are still found by phone', async () => {
    const { draft } = await seed();
    const { repository } = serviceWith(`${TEST_KEY_B},${TEST_KEY_A}`);

    expect((await repository.find(draft))?.fields.applicantName).toBe('Lee Park');
    expect((await repository.findDraftByContactPhone('+12125550199', new Date(0)))?.id).toBe(draft);
  });

  it('when rekey runs, then every row reads under the new key alone, and a second run has nothing to do', async () => {
    const { ids, draft } = await seed();
    const before = await serviceWith(TEST_KEY_A).repository.find(ids[0]!);
    const progress: number[] = [];
    const encrypted = Number(
      (await db.execute('SELECT count(*) AS n FROM application_fields WHERE encrypted = 1')).rows[0]?.n,
    );

    const done = await rekeyDatabase(db, new FieldCipher(testDataKeys(`${TEST_KEY_B},${TEST_KEY_A}`)), (p) =>
      progress.push(p.fields),
    );
    expect(encrypted).toBeGreaterThan(20);
    expect(done.fields).toBe(encrypted);
    expect(done.phoneHashes).toBe(4);
    expect(done.outboxMessages).toBe(3);
    expect(done.calls).toBe(1);
    expect(done.transcriptTurns).toBe(1);
    expect(done.smsConsents).toBe(1);
    expect(done.callBacks).toBe(1);
    expect(progress.length).toBeGreaterThan(0);

    const onlyNewKey = serviceWith(TEST_KEY_B).repository;
    expect((await onlyNewKey.find(ids[0]!))?.fields).toEqual(before?.fields);
    for (const id of ids) expect(await onlyNewKey.outboxFor(id)).toHaveLength(1);
    expect((await onlyNewKey.findDraftByContactPhone('+12125550199', new Date(0)))?.id).toBe(draft);
    const calls = new CallRepository(db, new FieldCipher(testDataKeys(TEST_KEY_B)));
    expect((await calls.find(CALL_SID))?.fromPhone).toBe('+12125550199');
    expect((await calls.transcript(CALL_SID)).map((t) => t.text)).toEqual(['My name is Lee Park.']);
    expect(await calls.recentDraftOfCaller('+12125550199', new Date(0))).toBeUndefined();
    expect(
      await new SmsConsentRepository(db, new FieldCipher(testDataKeys(TEST_KEY_B))).isOptedOut('+12125550199'),
    ).toBe(true);
    const [callBack] = await new CallBackRequests(db, new FieldCipher(testDataKeys(TEST_KEY_B))).listOpen();
    expect(callBack).toMatchObject({ callSid: CALL_SID, callerNumber: '+12125550199', language: 'es' });
    const old = await db.execute(
      "SELECT count(*) AS n FROM application_fields WHERE encrypted = 1 AND value LIKE 'v1.ka.%'",
    );
    expect(old.rows[0]?.n).toBe(0);

    expect(await rekeyDatabase(db, new FieldCipher(testDataKeys(`${TEST_KEY_B},${TEST_KEY_A}`)))).toEqual({
      fields: 0,
      phoneHashes: 0,
      outboxMessages: 0,
      calls: 0,
      transcriptTurns: 0,
      smsConsents: 0,
      callBacks: 0,
    });
  });

  it('when the old key is dropped before rekey, then reading fails with a message that says to keep it', async () => {
    const { draft } = await seed();
    await expect(serviceWith(TEST_KEY_B).repository.find(draft)).rejects.toThrow(/DATA_KEYS must still list that key/);
  });
});

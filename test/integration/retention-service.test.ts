import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallRecordings } from '../../src/recording/call-recordings.ts';
import { LocalDirectoryRecordingStore } from '../../src/recording/recording-store.ts';
import { SERVICE_RETENTION_ACTOR } from '../../src/service/retention-schedule.ts';
import { CallRepository } from '../../src/store/call-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { RETENTION_ACTION } from '../../src/store/retention.ts';
import { openTestDatabase, type TestDatabase } from '../support/database.ts';
import { testDataKeys } from '../support/keys.ts';
import { auditRows, callSid, DAY_MS, seedApplicant } from '../support/retention.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { eventually } from '../support/wait.ts';

/** The retention job inside the service: started by the composition root, it runs once at start, then daily. */

let database: TestDatabase;
let dir: string;
let service: TestService | undefined;

beforeEach(async () => {
  database = await openTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'permitline-retention-service-'));
});
afterEach(async () => {
  await service?.close();
  service = undefined;
  database.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('retention in the service', () => {
  it('when the service starts over data past RETENTION_DAYS, then it erases it, audits it as the service and logs only counts', async () => {
    const cipher = new FieldCipher(testDataKeys());
    const recordings = new CallRecordings(new LocalDirectoryRecordingStore(dir), testDataKeys());
    const seed = (digit: string, daysAgo: number) =>
      seedApplicant(database.db, cipher, {
        at: new Date(Date.now() - daysAgo * DAY_MS),
        callSid: callSid(digit),
        phone: `+1312555010${digit}`,
        business: `Business ${digit}`,
        recordings,
      });
    const old = await seed('1', 31);
    const recent = await seed('2', 29);

    service = await startTestService({ DATABASE_URL: database.url, RECORDINGS_DIR: dir, RETENTION_DAYS: '30' });
    const running = service;
    await eventually(
      async () => (await auditRows(running.db, RETENTION_ACTION)).length > 0,
      'the service has run the retention job',
    );

    expect(await auditRows(running.db, RETENTION_ACTION)).toEqual([
      expect.objectContaining({
        actor: SERVICE_RETENTION_ACTOR,
        detail: { applications: 1, calls: 1, recordings: 1, retentionDays: 30 },
      }),
    ]);
    const calls = new CallRepository(running.db, cipher);
    expect(await calls.transcript(old.callSid)).toEqual([]);
    expect(await calls.transcript(recent.callSid)).toHaveLength(1);
    expect(readdirSync(dir)).toEqual([`${recent.callSid}.wav.enc`]);
    await eventually(async () => Promise.resolve(running.log.text.includes('retention: erased')), 'it is logged');
    expect(running.log.text).not.toContain('Business 1');
    expect(running.log.text).not.toContain('5550101');
  });
});

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordingStore } from '../../src/recording/recording-store.ts';
import { CallRecordings } from '../../src/recording/call-recordings.ts';
import { LocalDirectoryRecordingStore } from '../../src/recording/recording-store.ts';
import { openDatabase } from '../../src/store/database.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { migrate } from '../../src/store/migrations.ts';
import { RETENTION_ACTION } from '../../src/store/retention.ts';
import { runNode, type Finished } from '../support/cli.ts';
import { TEST_KEY_A, testDataKeys } from '../support/keys.ts';
import { auditRows, callSid, DAY_MS, seedApplicant } from '../support/retention.ts';
import { startS3Server } from '../support/s3.ts';
import { tempDatabaseFile } from '../support/service.ts';

/** `npm run retention` as an operator runs it, over a database file with old and new applicants. */

const RETENTION_CLI = join(import.meta.dirname, '../../src/cli/retention.ts');

let file: ReturnType<typeof tempDatabaseFile>;
let dir: string;

beforeEach(() => {
  file = tempDatabaseFile();
  dir = mkdtempSync(join(tmpdir(), 'permitline-retention-cli-'));
});
afterEach(() => {
  file.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function retention(env: Record<string, string> = {}): Promise<Finished> {
  return runNode([RETENTION_CLI], {
    NODE_ENV: 'test',
    DATABASE_URL: file.url,
    DATA_KEYS: TEST_KEY_A,
    RECORDINGS_DIR: dir,
    ...env,
  });
}

/** `count` applicants who last did anything 100 days ago, with recorded calls, and one from yesterday. */
async function seed(count: number, store: RecordingStore = new LocalDirectoryRecordingStore(dir)): Promise<void> {
  const db = await openDatabase({ url: file.url });
  try {
    await migrate(db);
    const cipher = new FieldCipher(testDataKeys());
    const recordings = new CallRecordings(store, testDataKeys());
    const digits = '123456789'.slice(0, count + 1).split('');
    for (const [i, digit] of digits.entries())
      await seedApplicant(db, cipher, {
        at: new Date(Date.now() - (i === 0 ? 1 : 100) * DAY_MS),
        callSid: callSid(digit),
        phone: `+1312555010${digit}`,
        business: `Business ${digit}`,
        recordings,
      });
  } finally {
    db.close();
  }
}

async function retentionAudit(): Promise<Record<string, unknown>[]> {
  const db = await openDatabase({ url: file.url });
  try {
    return await auditRows(db, RETENTION_ACTION);
  } finally {
    db.close();
  }
}

describe('npm run retention', () => {
  it('when data is past RETENTION_DAYS, then it says what it erases, prints each batch and what it did, and a second run finds nothing', async () => {
    await seed(2);

    const first = await retention();

    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout.split('\n')).toEqual([
      'Erasing personal data older than 90 days (RETENTION_DAYS): drafts never submitted, and calls with their transcripts and recordings. Submitted applications are kept.',
      '  erased so far: 2 drafts, 2 calls (with their transcripts) and 2 recordings',
      expect.stringMatching(
        /^Done: erased 2 drafts, 2 calls \(with their transcripts\) and 2 recordings last active before \d{4}-\d\d-\d\dT[\d:.]+Z\. Each batch is in the audit log as retention\.erased\.$/,
      ),
      '',
    ]);
    expect(readdirSync(dir)).toEqual([`${callSid('1')}.wav.enc`]);
    expect(await retentionAudit()).toEqual([
      expect.objectContaining({ actor: `cli:${userInfo().username}`, source_address: 'local' }),
    ]);

    const second = await retention();
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/\nNothing to erase: no draft or call was last active before .+Z\.\n$/);
    expect(await retentionAudit()).toHaveLength(1);
  });

  it('when two are started at once, then both end well and each record is erased and audited once', async () => {
    await seed(8);

    const runs = await Promise.all([retention(), retention()]);

    expect(runs.map((r) => [r.code, r.stderr])).toEqual([
      [0, ''],
      [0, ''],
    ]);
    const audited = (await retentionAudit()).map((row) => row.detail as { calls: number; recordings: number });
    expect(audited.reduce((total, d) => total + d.calls, 0)).toBe(8);
    expect(audited.reduce((total, d) => total + d.recordings, 0)).toBe(8);
    expect(readdirSync(dir)).toEqual([`${callSid('1')}.wav.enc`]);
  });

  it('when RETENTION_DAYS is too short, or the database cannot be opened, then it says what to do and exits 1', async () => {
    const short = await retention({ RETENTION_DAYS: '7' });
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('RETENTION_DAYS must be at least 30 days');

    // A file where the database's folder should be.
    writeFileSync(join(dir, 'a-file'), '');
    const broken = await retention({ DATABASE_URL: `file:${join(dir, 'a-file')}/below/it.db` });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^retention failed: /);
    expect(broken.stderr).toContain('Fix the cause and run npm run retention again');
  });

  it('when recordings are in a bucket (RECORDINGS_S3_BUCKET), then it erases them there', async () => {
    const s3 = await startS3Server();
    try {
      await seed(2, s3.store());

      const run = await retention(s3.processEnv);

      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('erased so far: 2 drafts, 2 calls (with their transcripts) and 2 recordings');
      expect(await s3.store().size(`${callSid('2')}.wav.enc`)).toBeUndefined();
      expect(await s3.store().size(`${callSid('3')}.wav.enc`)).toBeUndefined();
      expect(await s3.store().size(`${callSid('1')}.wav.enc`)).toBeGreaterThan(0);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      await s3.close();
    }
  });
});

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/ops/logger.ts';
import { LocalDirectoryRecordingStore } from '../../src/recording/recording-store.ts';
import { SpooledRecordingStore } from '../../src/recording/spooled-recording-store.ts';
import { startS3Server, type TestS3Server } from '../support/s3.ts';
import { CapturedLog } from '../support/service.ts';
import { eventually } from '../support/wait.ts';

/**
 * The spool in front of the bucket, against a real s3rver that the test stops and starts: a recording saved while
 * the bucket is down is kept locally (ciphertext, as it was given), readable there, and uploaded once it is back,
 * by the periodic retry or at the next start.
 */

let s3: TestS3Server;
let dir: string;
let log: CapturedLog;
const stores: SpooledRecordingStore[] = [];

beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3.close();
});
beforeEach(async () => {
  await s3.start();
  dir = mkdtempSync(join(tmpdir(), 'permitline-spool-'));
  log = new CapturedLog();
});
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function spooled(retryMs = 60_000): SpooledRecordingStore {
  const store = new SpooledRecordingStore({
    remote: s3.store('spooled/'),
    spool: new LocalDirectoryRecordingStore(dir),
    retryMs,
    logger: createLogger('info', log),
  });
  stores.push(store);
  return store;
}

const inSpool = (): string[] => readdirSync(dir);

describe('SpooledRecordingStore', () => {
  it('when the bucket is up, then a put goes to the bucket and nothing stays in the spool', async () => {
    const store = spooled();
    await store.put('up.bin', [Buffer.from('straight '), Buffer.from('up')]);

    expect(inSpool()).toEqual([]);
    expect(await s3.store('spooled/').read('up.bin', 0, 100)).toEqual(Buffer.from('straight up'));
    expect(await store.read('up.bin', 9, 2)).toEqual(Buffer.from('up'));
  });

  it('when the bucket is down at a put, then it is kept in the spool and readable, and uploaded once the bucket is back', async () => {
    const store = spooled();
    await s3.stop();

    await store.put('down.bin', [Buffer.from('kept while '), Buffer.from('the bucket is down')]);

    expect(inSpool()).toEqual(['down.bin']);
    expect(await store.size('down.bin')).toBe(29);
    expect(await store.read('down.bin', 11, 6)).toEqual(Buffer.from('the bu'));
    expect(log.text).toContain('the recordings bucket did not take this recording');
    expect(await store.uploadPending()).toEqual({ uploaded: 0, pending: 1 });
    expect(inSpool()).toEqual(['down.bin']);

    await s3.start();
    expect(await store.uploadPending()).toEqual({ uploaded: 1, pending: 0 });
    expect(inSpool()).toEqual([]);
    expect(await s3.store('spooled/').read('down.bin', 0, 100)).toEqual(Buffer.from('kept while the bucket is down'));
    expect(await store.read('down.bin', 0, 4)).toEqual(Buffer.from('kept'));
  });

  it('when the bucket comes back, then the periodic retry uploads what waits in the spool', async () => {
    const store = spooled(100);
    store.start();
    await s3.stop();
    await store.put('retried.bin', [Buffer.from('tried again')]);
    expect(inSpool()).toEqual(['retried.bin']);

    await s3.start();
    await eventually(async () => (await s3.store('spooled/').size('retried.bin')) === 11, 'the retry uploads it');
    await eventually(() => Promise.resolve(inSpool().length === 0), 'the spool copy is removed');
  });

  it('when an instance starts with recordings left in its spool, then it uploads them', async () => {
    await s3.stop();
    const before = spooled();
    await before.put('left-behind.bin', [Buffer.from('from the last run')]);
    await before.close();
    await s3.start();

    spooled().start();

    await eventually(async () => (await s3.store('spooled/').size('left-behind.bin')) === 17, 'the start uploads it');
    await eventually(() => Promise.resolve(inSpool().length === 0), 'the spool copy is removed');
  });

  it('when the bucket is down at an erasure, then it fails and the spool copy stays; once back, both copies go', async () => {
    const store = spooled();
    await store.put('erased.bin', [Buffer.from('in the bucket')]);
    await s3.stop();
    await store.put('erased.bin', [Buffer.from('newer, in the spool')]);

    await expect(store.delete('erased.bin')).rejects.toThrow();
    expect(inSpool()).toEqual(['erased.bin']);

    await s3.start();
    expect(await store.delete('erased.bin')).toBe(true);
    expect(inSpool()).toEqual([]);
    expect(await store.size('erased.bin')).toBeUndefined();
    expect(await store.delete('erased.bin')).toBe(false);
  });

  it('when the spool holds a newer save than the bucket, then reads give the newer one', async () => {
    const store = spooled();
    await store.put('newer.bin', [Buffer.from('older')]);
    await s3.stop();
    await store.put('newer.bin', [Buffer.from('newer!')]);

    expect(await store.read('newer.bin', 0, 10)).toEqual(Buffer.from('newer!'));
    await s3.start();
    await store.uploadPending();
    expect(await s3.store('spooled/').read('newer.bin', 0, 10)).toEqual(Buffer.from('newer!'));
  });
});

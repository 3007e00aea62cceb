import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPOOL_DIR_NAME } from '../../src/service/recording-storage.ts';
import { CallRepository } from '../../src/store/call-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { testDataKeys } from '../support/keys.ts';
import { startS3Server, type TestS3Server } from '../support/s3.ts';
import type { TestService } from '../support/service.ts';
import { ADMIN, CLERK, StaffClient, addStaffUser } from '../support/staff.ts';
import { startSecondInstance, startVoiceRig, type VoiceRig } from '../support/voice.ts';
import { eventually, waitUntil } from '../support/wait.ts';

/**
 * Two instances of the service over one database and one S3-compatible bucket (s3rver), each with its own
 * RECORDINGS_DIR as two machines would have: a call recorded through instance A plays, by ranges, from the staff
 * console of instance B; when the bucket is down at the end of the call, A keeps the recording in its spool and
 * uploads it when the bucket is back.
 */

const RETRY_MS = 200;
// A phone call at four times real time, then the upload.
const CALL_TEST_MS = 60_000;

let s3: TestS3Server;
let rig: VoiceRig;
let instanceB: TestService;
let staffB: StaffClient;
const dirs: string[] = [];

function recordingsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'permitline-instance-recordings-'));
  dirs.push(dir);
  return dir;
}

beforeAll(async () => {
  s3 = await startS3Server();
  const env = { ...s3.env, RECORD_CALLS: 'true', RECORDINGS_S3_RETRY_MS: String(RETRY_MS) };
  rig = await startVoiceRig('happy-path', {}, undefined, { ...env, RECORDINGS_DIR: recordingsDir() });
  instanceB = await startSecondInstance(rig, { ...env, RECORDINGS_DIR: recordingsDir() });
  await addStaffUser(rig.service.db, CLERK.username, 'staff', CLERK.password);
  await addStaffUser(rig.service.db, ADMIN.username, 'admin', ADMIN.password);
  staffB = new StaffClient(instanceB.url);
  expect((await staffB.signIn(CLERK.username, CLERK.password)).status).toBe(303);
});
afterAll(async () => {
  await instanceB.close();
  await rig.close();
  await s3.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Phones in through instance A and waits until it has saved everything about the call. */
async function callThroughA(): Promise<string> {
  const result = await rig.call({ realTimeFactor: 4, hangUpAfterTurn: 1 });
  expect(result.errors).toEqual([]);
  await waitUntil(() => rig.service.callOrchestrator.liveCalls === 0, 'the call is released');
  await rig.service.callOrchestrator.finished();
  return result.callSid;
}

function fetchFrom(service: TestService, staff: StaffClient, callSid: string, range?: string): Promise<Response> {
  const headers: Record<string, string> = { ...staff.cookies() };
  if (range !== undefined) headers.range = range;
  return fetch(`${service.url}/staff/calls/${callSid}/recording`, { headers });
}

const spoolOfA = (): string[] => readdirSync(join(dirs[0]!, SPOOL_DIR_NAME));

describe('recordings in a shared bucket', () => {
  it(
    'when a call is recorded through instance A, then staff on instance B play it whole and by a range',
    async () => {
      const callSid = await callThroughA();
      const wav = await rig.service.recordings.load(callSid);
      expect(wav?.length).toBeGreaterThan(100_000);
      expect(spoolOfA()).toEqual([]);
      expect(await s3.store().size(`${callSid}.wav.enc`)).toBeGreaterThan(wav!.length);

      const seek = await fetchFrom(instanceB, staffB, callSid, 'bytes=70000-99999');
      expect(seek.status).toBe(206);
      expect(seek.headers.get('content-range')).toBe(`bytes 70000-99999/${wav!.length}`);
      expect(Buffer.from(await seek.arrayBuffer()).equals(wav!.subarray(70_000, 100_000))).toBe(true);
      const whole = await fetchFrom(instanceB, staffB, callSid);
      expect(whole.status).toBe(200);
      expect(Buffer.from(await whole.arrayBuffer()).equals(wav!)).toBe(true);
    },
    CALL_TEST_MS,
  );

  it(
    'when the call row says there is a recording but the bucket has no object, then B answers with the not-found page',
    async () => {
      const callSid = await callThroughA();
      await s3.client().send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: `${callSid}.wav.enc` }));
      const calls = new CallRepository(instanceB.db, new FieldCipher(testDataKeys()));
      expect((await calls.find(callSid))?.recordingMs).toBeGreaterThan(0);

      const missing = await fetchFrom(instanceB, staffB, callSid, 'bytes=0-99');
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toMatch(/text\/html/);
      expect(await missing.text()).toContain('Not found');
    },
    CALL_TEST_MS,
  );

  it(
    'when the bucket is down at the end of a call, then A keeps the recording in its spool and plays it, and once the bucket is back B plays it too',
    async () => {
      await s3.stop();
      let callSid: string;
      try {
        callSid = await callThroughA();
        expect(spoolOfA()).toEqual([`${callSid}.wav.enc`]);
        const wav = await rig.service.recordings.load(callSid);
        const fromA = await fetchFrom(rig.service, await signedInAt(rig.service), callSid, 'bytes=1000-1999');
        expect(fromA.status).toBe(206);
        expect(Buffer.from(await fromA.arrayBuffer()).equals(wav!.subarray(1000, 2000))).toBe(true);
        // B cannot see A's disk, nor reach the bucket: the error page, "try again", and B goes on serving.
        const fromB = await fetchFrom(instanceB, staffB, callSid, 'bytes=0-99');
        expect(fromB.status).toBe(502);
        expect(await fromB.text()).toContain('please try again');
        expect(instanceB.log.text).toContain('the recordings bucket did not say whether it has a recording');
        // s3rver's access key id and secret are both S3RVER: neither reaches a log line.
        expect(`${rig.service.log.text}${instanceB.log.text}`).not.toContain('S3RVER');
        expect(rig.service.log.text).toContain('the recordings bucket did not take this recording');
      } finally {
        await s3.start();
      }

      await eventually(() => Promise.resolve(spoolOfA().length === 0), 'A uploads the spooled recording', 30_000);
      const wav = await rig.service.recordings.load(callSid);
      const fromB = await fetchFrom(instanceB, staffB, callSid, 'bytes=1000-1999');
      expect(fromB.status).toBe(206);
      expect(Buffer.from(await fromB.arrayBuffer()).equals(wav!.subarray(1000, 2000))).toBe(true);
    },
    CALL_TEST_MS,
  );

  it(
    'when an admin erases a caller while the bucket is down, then the erasure fails with nothing erased, and asked again once the bucket is back it erases the rows and the recording',
    async () => {
      const callSid = await callThroughA();
      const key = `${callSid}.wav.enc`;
      expect(await s3.store().size(key)).toBeGreaterThan(0);
      const calls = new CallRepository(instanceB.db, new FieldCipher(testDataKeys()));
      const admin = new StaffClient(instanceB.url);
      expect((await admin.signIn(ADMIN.username, ADMIN.password)).status).toBe(303);
      const target = { target: rig.scenario.callerNumber, confirm: 'yes' };

      await s3.stop();
      try {
        const refused = await admin.postFrom('/staff/erase', '/staff/erase', target);
        expect(refused.status).toBe(502);
        // The rows are all still there, so the same erasure can be asked again.
        expect((await calls.find(callSid))?.fromPhone).toBe(rig.scenario.callerNumber);
        expect(await calls.transcript(callSid)).not.toEqual([]);
      } finally {
        await s3.start();
      }

      const erased = await admin.postFrom('/staff/erase', '/staff/erase', target);
      expect(erased.status, erased.html).toBe(200);
      expect(erased.html).toMatch(/Erased: \d+ application\(s\), \d+ call\(s\), [1-9]\d* recording\(s\)\./);
      expect((await calls.find(callSid))?.fromPhone).toBe('');
      expect(await s3.store().size(key)).toBeUndefined();
    },
    CALL_TEST_MS,
  );
});

async function signedInAt(service: TestService): Promise<StaffClient> {
  const staff = new StaffClient(service.url);
  expect((await staff.signIn(CLERK.username, CLERK.password)).status).toBe(303);
  return staff;
}

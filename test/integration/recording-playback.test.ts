import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORDING_CHUNK_BYTES } from '../../src/recording/call-recordings.ts';
import { CallRepository } from '../../src/store/call-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { testDataKeys } from '../support/keys.ts';
import { newCallSid } from '../support/media-socket.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { CLERK, StaffClient, addStaffUser } from '../support/staff.ts';

/**
 * Staff playback of a long recording over HTTP, on the real service and its recordings directory: ranges are
 * decrypted a chunk at a time, so a seek reads only the chunks it needs, and an altered chunk is never played.
 */

const IV_AND_TAG = 12 + 16;
const WAV_BYTES = 3 * 1024 * 1024 + 77; // about 100 s of stereo call audio
const ALTERED_CHUNK = 30;

let service: TestService;
let dir: string;
let staff: StaffClient;

/** Bytes that differ everywhere, so a wrong chunk would show. */
function patternWav(bytes: number): Buffer {
  const wav = Buffer.alloc(bytes);
  for (let i = 0; i + 4 <= bytes; i += 4) wav.writeUInt32LE(i, i);
  wav.write('RIFF', 0, 'ascii');
  return wav;
}

async function recordedCall(wav: Buffer): Promise<string> {
  const callSid = newCallSid();
  const calls = new CallRepository(service.db, new FieldCipher(testDataKeys()));
  await calls.recordIncoming(callSid, '+13125550188', 'completed');
  await calls.recordRecording(callSid, wav.length / 32);
  await service.recordings.save(callSid, wav);
  return callSid;
}

function fetchRecording(callSid: string, range?: string): Promise<Response> {
  const headers: Record<string, string> = { ...staff.cookies() };
  if (range !== undefined) headers.range = range;
  return fetch(`${service.url}/staff/calls/${callSid}/recording`, { headers });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'permitline-playback-'));
  service = await startTestService({ RECORDINGS_DIR: dir });
  await addStaffUser(service.db, CLERK.username, 'staff', CLERK.password);
  staff = new StaffClient(service.url);
  expect((await staff.signIn(CLERK.username, CLERK.password)).status).toBe(303);
});
afterAll(async () => {
  await service.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('playing a long recording', () => {
  it('when staff fetch the whole recording and a range in its middle, then each is those bytes of the WAV', async () => {
    const wav = patternWav(WAV_BYTES);
    const callSid = await recordedCall(wav);

    const whole = await fetchRecording(callSid);
    const seek = await fetchRecording(callSid, 'bytes=2000000-2099999');

    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-length')).toBe(String(WAV_BYTES));
    expect(Buffer.from(await whole.arrayBuffer()).equals(wav)).toBe(true);
    expect(seek.status).toBe(206);
    expect(seek.headers.get('content-range')).toBe(`bytes 2000000-2099999/${WAV_BYTES}`);
    expect(Buffer.from(await seek.arrayBuffer()).equals(wav.subarray(2_000_000, 2_100_000))).toBe(true);
  });

  it('when one chunk of the stored file is altered, then ranges before it still play, a range starting in it fails, and the whole file is cut off before it', async () => {
    const wav = patternWav(WAV_BYTES);
    const callSid = await recordedCall(wav);
    const path = join(dir, `${callSid}.wav.enc`);
    const stored = readFileSync(path);
    const chunks = Math.ceil(WAV_BYTES / RECORDING_CHUNK_BYTES);
    const header = stored.length - WAV_BYTES - chunks * IV_AND_TAG;
    stored[header + ALTERED_CHUNK * (RECORDING_CHUNK_BYTES + IV_AND_TAG) + 100]! ^= 1;
    writeFileSync(path, stored);
    const altered = ALTERED_CHUNK * RECORDING_CHUNK_BYTES;

    const early = await fetchRecording(callSid, 'bytes=100000-199999');
    expect(early.status).toBe(206);
    expect(Buffer.from(await early.arrayBuffer()).equals(wav.subarray(100_000, 200_000))).toBe(true);

    const inIt = await fetchRecording(callSid, `bytes=${altered + 10}-${altered + 1000}`);
    expect(inIt.status).toBe(500);
    expect(Buffer.from(await inIt.arrayBuffer()).includes(wav.subarray(altered + 10, altered + 100))).toBe(false);

    const whole = await fetchRecording(callSid);
    expect(whole.status).toBe(200);
    const received = await whole.arrayBuffer().then(
      (body) => Buffer.from(body),
      () => undefined, // the response was cut: that is the point
    );
    if (received !== undefined) expect(received.length).toBeLessThanOrEqual(altered);
  });
});

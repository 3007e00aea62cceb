import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DecryptionError } from '../../src/keys/decryption-error.ts';
import { CallRecordings } from '../../src/recording/call-recordings.ts';
import { InvalidRecordingKeyError, LocalDirectoryRecordingStore } from '../../src/recording/recording-store.ts';
import { StereoRecording } from '../../src/recording/stereo-recording.ts';
import { TEST_KEY_A, TEST_KEY_B, testDataKeys } from '../support/keys.ts';

const CALL_A = `CA${'a'.repeat(32)}`;
const CALL_B = `CA${'b'.repeat(32)}`;

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'permitline-recordings-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A short real recording: a recognisable caller pattern on the left, agent audio on the right. */
function sampleWav(): Buffer {
  const recording = new StereoRecording();
  for (let frame = 0; frame < 50; frame += 1)
    recording.caller(Buffer.alloc(160, frame % 2 === 0 ? 0x80 : 0xa5).toString('base64'));
  recording.agent(Buffer.alloc(800, 0x8f).toString('base64'), 200);
  return recording.toWav();
}

function recordings(keys = TEST_KEY_A): CallRecordings {
  return new CallRecordings(new LocalDirectoryRecordingStore(dir), testDataKeys(keys));
}

function storedFiles(): string[] {
  return readdirSync(dir);
}

describe('CallRecordings over a local directory', () => {
  it('when a recording is saved, then it loads back byte for byte', async () => {
    const wav = sampleWav();
    await recordings().save(CALL_A, wav);

    expect(await recordings().load(CALL_A)).toEqual(wav);
  });

  it('when a recording is on disk, then the file is not a WAV and holds none of its audio in the clear', async () => {
    const wav = sampleWav();
    await recordings().save(CALL_A, wav);

    expect(storedFiles()).toHaveLength(1);
    const file = readFileSync(join(dir, storedFiles()[0]!));
    expect(file.subarray(0, 4).toString('ascii')).not.toBe('RIFF');
    expect(file.includes(Buffer.from('WAVE'))).toBe(false);
    expect(file.includes(Buffer.from('fmt '))).toBe(false);
    // Any 32 bytes of the audio would do: none appear in the file.
    for (const at of [44, 1000, 4000, wav.length - 32]) expect(file.includes(wav.subarray(at, at + 32))).toBe(false);
    expect(file.length).toBeGreaterThan(wav.length);
  });

  it('when a recording file is renamed to another call, then it fails to decrypt', async () => {
    await recordings().save(CALL_A, sampleWav());
    const [name] = storedFiles();
    renameSync(join(dir, name!), join(dir, name!.replace(CALL_A, CALL_B)));

    await expect(recordings().load(CALL_B)).rejects.toSatisfy(
      (error) => error instanceof DecryptionError && error.reason === 'authentication',
    );
  });

  it('when a byte of the file is altered, then it fails to decrypt', async () => {
    await recordings().save(CALL_A, sampleWav());
    const path = join(dir, storedFiles()[0]!);
    const file = readFileSync(path);
    file[file.length - 100]! ^= 1;
    writeFileSync(path, file);

    await expect(recordings().load(CALL_A)).rejects.toThrow(/failed authentication/);
  });

  it('when the data key that encrypted it is no longer listed, then loading says which key is missing', async () => {
    await recordings(TEST_KEY_B).save(CALL_A, sampleWav());

    await expect(recordings(TEST_KEY_A).load(CALL_A)).rejects.toThrow(
      'it was encrypted with data key "kb", which DATA_KEYS no longer lists',
    );
  });

  it('when the keys are rotated, then recordings made under the old key still load and new ones use the new key', async () => {
    const wav = sampleWav();
    await recordings(TEST_KEY_A).save(CALL_A, wav);
    const rotated = recordings(`${TEST_KEY_B},${TEST_KEY_A}`);
    await rotated.save(CALL_B, wav);

    expect(await rotated.load(CALL_A)).toEqual(wav);
    expect(await rotated.load(CALL_B)).toEqual(wav);
    await expect(recordings(TEST_KEY_A).load(CALL_B)).rejects.toThrow('data key "kb"');
  });

  it('when a call has no recording, then load gives undefined; erase removes one and says whether there was one', async () => {
    const calls = recordings();
    expect(await calls.load(CALL_A)).toBeUndefined();
    await calls.save(CALL_A, sampleWav());

    expect(await calls.erase(CALL_A)).toBe(true);
    expect(await calls.load(CALL_A)).toBeUndefined();
    expect(await calls.erase(CALL_A)).toBe(false);
    expect(storedFiles()).toEqual([]);
  });

  it('when a file there is not a recording, then loading says so', async () => {
    await recordings().save(CALL_A, sampleWav());
    writeFileSync(join(dir, storedFiles()[0]!), sampleWav());

    await expect(recordings().load(CALL_A)).rejects.toSatisfy(
      (error) => error instanceof DecryptionError && error.reason === 'malformed',
    );
  });

  it('when a call id would reach outside the directory, then it is refused before any file is touched', async () => {
    const calls = recordings();
    const outside = join(dir, '..', `escaped-${Date.now()}`);
    for (const callSid of ['../escaped', '../../etc/passwd', 'CA/../../x', '.hidden', '', outside]) {
      await expect(calls.save(callSid, sampleWav())).rejects.toThrow(InvalidRecordingKeyError);
      await expect(calls.load(callSid)).rejects.toThrow(InvalidRecordingKeyError);
      await expect(calls.erase(callSid)).rejects.toThrow(InvalidRecordingKeyError);
    }
    expect(storedFiles()).toEqual([]);
  });
});

describe('LocalDirectoryRecordingStore', () => {
  it('when a key is stored twice, then the second replaces the first and no temp file is left', async () => {
    const store = new LocalDirectoryRecordingStore(join(dir, 'nested', 'recordings'));
    await store.put('one.bin', [Buffer.from('first')]);
    await store.put('one.bin', [Buffer.from('sec'), Buffer.from('ond')]);

    expect(await store.read('one.bin', 0, 100)).toEqual(Buffer.from('second'));
    expect(await store.read('one.bin', 2, 3)).toEqual(Buffer.from('con'));
    expect(await store.size('one.bin')).toBe(6);
    expect(await store.size('none.bin')).toBeUndefined();
    expect(readdirSync(join(dir, 'nested', 'recordings'))).toEqual(['one.bin']);
  });
});

import { describe, expect, it } from 'vitest';
import { muLawToLinear } from '../../src/protocols/mu-law.ts';
import { StereoRecording } from '../../src/recording/stereo-recording.ts';
import { readWav } from '../support/wav.ts';

const SAMPLES_PER_MS = 8;
const FRAME_BYTES = 160; // 20 ms
const SILENCE = 0xff;
const LOUDEST = 0x80; // +32124

function payload(bytes: number, value: number): string {
  return Buffer.alloc(bytes, value).toString('base64');
}

/** `ms` of caller audio as Twilio sends it: 20 ms frames. */
function callerSpeaks(recording: StereoRecording, ms: number, value = SILENCE): void {
  for (let sent = 0; sent < ms; sent += 20) recording.caller(payload(FRAME_BYTES, value));
}

function channels(recording: StereoRecording): { left: Int16Array; right: Int16Array } {
  const [left, right] = readWav(recording.toWav()).samples;
  return { left: left!, right: right! };
}

/** Where the agent channel is not silent, as [firstSample, endSample) runs. */
function agentRuns(right: Int16Array): [number, number][] {
  const runs: [number, number][] = [];
  right.forEach((sample, i) => {
    if (sample === 0) return;
    const last = runs.at(-1);
    if (last?.[1] === i) last[1] = i + 1;
    else runs.push([i, i + 1]);
  });
  return runs;
}

describe('StereoRecording', () => {
  it('when an agent delta is sent at 1000 ms, then it starts at sample 8000 of the right channel', () => {
    const recording = new StereoRecording();
    callerSpeaks(recording, 1000);
    recording.agent(payload(FRAME_BYTES, LOUDEST), 1000);
    callerSpeaks(recording, 1000);

    const { right } = channels(recording);
    expect(agentRuns(right)).toEqual([[8000, 8160]]);
    expect(right[8000]).toBe(32124);
  });

  it('when deltas arrive faster than they play, then they queue back to back, and one sent after the queue drained starts at its own time', () => {
    const recording = new StereoRecording();
    recording.agent(payload(200 * SAMPLES_PER_MS, LOUDEST), 0);
    recording.agent(payload(200 * SAMPLES_PER_MS, 0x8f), 20); // still queued behind the first: plays at 200 ms
    recording.agent(payload(100 * SAMPLES_PER_MS, 0xa5), 600); // the line was idle from 400 ms
    callerSpeaks(recording, 1000);

    const { right } = channels(recording);
    expect(agentRuns(right)).toEqual([
      [0, 3200],
      [4800, 5600],
    ]);
    expect(right[1599]).toBe(32124);
    expect(right[1600]).toBe(16764);
    expect(right[3199]).toBe(16764);
    expect(right[4800]).toBe(6652);
  });

  it('when Twilio is cleared at t (barge-in), then the agent channel stops at t and later audio is placed after it', () => {
    const recording = new StereoRecording();
    recording.agent(payload(2000 * SAMPLES_PER_MS, LOUDEST), 0);
    callerSpeaks(recording, 500);
    recording.cleared(500);
    callerSpeaks(recording, 300);
    recording.agent(payload(100 * SAMPLES_PER_MS, LOUDEST), 800);
    callerSpeaks(recording, 700);

    const { right } = channels(recording);
    expect(agentRuns(right)).toEqual([
      [0, 4000],
      [6400, 7200],
    ]);
    expect(recording.durationMs).toBe(1500);
  });

  it('when a clear comes after the queued audio has played, then nothing the caller heard is removed', () => {
    const recording = new StereoRecording();
    recording.agent(payload(300 * SAMPLES_PER_MS, LOUDEST), 0);
    callerSpeaks(recording, 1000);
    recording.cleared(1000);

    expect(agentRuns(channels(recording).right)).toEqual([[0, 2400]]);
  });

  it('when the caller speaks, then the left channel is their frames decoded, in order', () => {
    const recording = new StereoRecording();
    const frames = [0x00, 0x80, 0xa5, 0xcd, 0xff].map((value) => Buffer.alloc(FRAME_BYTES, value));
    frames[2]![7] = 0x10;
    for (const frame of frames) recording.caller(frame.toString('base64'));

    const { left, right } = channels(recording);
    expect([...left]).toEqual([...Buffer.concat(frames)].map(muLawToLinear));
    expect(right.every((sample) => sample === 0)).toBe(true);
  });

  it('when written out, then the WAV is 16-bit PCM stereo at 8000 Hz and as long as the longer channel', () => {
    const recording = new StereoRecording();
    callerSpeaks(recording, 500, 0xa5);
    recording.agent(payload(800 * SAMPLES_PER_MS, LOUDEST), 400); // ends at 1200 ms, after the caller's last frame

    const wavBytes = recording.toWav();
    const wav = readWav(wavBytes);
    const frames = 1200 * SAMPLES_PER_MS;
    expect(wavBytes.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wavBytes.length).toBe(44 + frames * 4);
    expect(wav).toMatchObject({
      audioFormat: 1,
      channels: 2,
      sampleRate: 8000,
      byteRate: 32000,
      blockAlign: 4,
      bitsPerSample: 16,
      dataBytes: frames * 4,
      riffSize: 36 + frames * 4,
    });
    expect(recording.durationMs).toBe(1200);
    const [left, right] = wav.samples;
    expect(left!.length).toBe(frames);
    expect(left![4000 - 1]).toBe(6652);
    expect(left![4000]).toBe(0); // the caller's channel ends; the file goes on while the agent speaks
    expect(agentRuns(right!)).toEqual([[3200, frames]]);
  });

  it('when nothing was heard, then the WAV is a valid empty file', () => {
    const wav = readWav(new StereoRecording().toWav());
    expect(wav).toMatchObject({ channels: 2, dataBytes: 0 });
  });

  it('when a call time is negative or not a number, then it is refused', () => {
    const recording = new StereoRecording();
    expect(() => {
      recording.agent(payload(8, LOUDEST), -1);
    }).toThrow(RangeError);
    expect(() => {
      recording.cleared(Number.NaN);
    }).toThrow(RangeError);
  });
});

describe('StereoRecording with a maximum length', () => {
  it('when the call goes on past the maximum, then both channels stop there and the recording says it was capped', () => {
    const recording = new StereoRecording({ maxMs: 1000 });
    callerSpeaks(recording, 600, LOUDEST);
    expect(recording.capped).toBe(false);
    recording.agent(payload(8 * SAMPLES_PER_MS * 100, LOUDEST), 500); // 800 ms from 500 ms: runs past 1000 ms
    callerSpeaks(recording, 1400, LOUDEST);
    recording.agent(payload(FRAME_BYTES, LOUDEST), 1500); // wholly past the end

    expect(recording.capped).toBe(true);
    expect(recording.durationMs).toBe(1000);
    const { left, right } = channels(recording);
    expect(left).toHaveLength(1000 * SAMPLES_PER_MS);
    expect(agentRuns(right)).toEqual([[500 * SAMPLES_PER_MS, 1000 * SAMPLES_PER_MS]]);
  });

  it('when the call ends exactly at the maximum, then nothing was left out and it is not capped', () => {
    const recording = new StereoRecording({ maxMs: 1000 });
    callerSpeaks(recording, 1000);
    expect(recording.capped).toBe(false);
    expect(recording.durationMs).toBe(1000);
  });
});

describe('StereoRecording read out in slices', () => {
  it('when the WAV is read in slices of any size and place, then each is that part of the whole WAV', () => {
    const recording = new StereoRecording();
    for (let frame = 0; frame < 60; frame += 1) recording.caller(payload(FRAME_BYTES, frame % 2 === 0 ? 0x80 : 0xa5));
    recording.agent(payload(900, 0x8f), 300);
    const whole = recording.toWav();
    const wav = recording.wav();

    expect(wav.byteLength).toBe(whole.length);
    for (const [start, end] of [
      [0, 44],
      [0, 10],
      [10, 50],
      [43, 47],
      [45, 46],
      [1001, 7003],
      [whole.length - 3, whole.length],
      [0, whole.length],
    ] as const)
      expect(wav.bytes(start, end).equals(whole.subarray(start, end)), `${start}-${end}`).toBe(true);
  });
});

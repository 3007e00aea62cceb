import { describe, expect, it } from 'vitest';
import { PhonePlayback } from '../../src/sim/phone-playback.ts';
import { FRAME_BYTES, FRAME_MS, MULAW_BYTES_PER_MS, MULAW_SILENCE } from '../../src/protocols/media-stream-messages.ts';

const speech = (ms: number, byte = 0x2a): Buffer => Buffer.alloc(ms * MULAW_BYTES_PER_MS, byte);

/** Plays frames until `count` frames have played; returns the marks reached, frame by frame (1-based frame number). */
function playFrames(playback: PhonePlayback, count: number): { frame: number; mark: string }[] {
  const reached: { frame: number; mark: string }[] = [];
  for (let frame = 1; frame <= count; frame += 1) {
    for (const mark of playback.playFrame().marks) reached.push({ frame, mark });
  }
  return reached;
}

describe('phone playback', () => {
  it('when marks follow audio, then each is returned only in the frame that plays the last of the audio before it', () => {
    const playback = new PhonePlayback();
    playback.enqueueAudio(speech(100));
    playback.enqueueMark('a');
    playback.enqueueAudio(speech(60));
    playback.enqueueMark('b');

    // 100 ms = 5 frames; then 60 ms more ends inside frame 8.
    expect(playFrames(playback, 10)).toEqual([
      { frame: 5, mark: 'a' },
      { frame: 8, mark: 'b' },
    ]);
  });

  it('when a mark is sent with nothing buffered before it, then the next frame returns it', () => {
    const playback = new PhonePlayback();
    playback.enqueueMark('first');
    const played = playback.playFrame();
    expect(played.marks).toEqual(['first']);
    expect(played.audioBytes).toBe(0);
  });

  it('when audio is played, then frames carry it in order, are always 160 bytes, and the short last frame is padded with silence', () => {
    const playback = new PhonePlayback();
    const audio = Buffer.from(Array.from({ length: FRAME_BYTES + 40 }, (_, i) => i % 200));
    playback.enqueueAudio(audio.subarray(0, 100));
    playback.enqueueAudio(audio.subarray(100));

    const first = playback.playFrame();
    const second = playback.playFrame();
    const third = playback.playFrame();

    expect(first.frame).toEqual(audio.subarray(0, FRAME_BYTES));
    expect(first.audioBytes).toBe(FRAME_BYTES);
    expect(second.frame.length).toBe(FRAME_BYTES);
    expect(second.frame.subarray(0, 40)).toEqual(audio.subarray(FRAME_BYTES));
    expect(second.frame.subarray(40).every((byte) => byte === MULAW_SILENCE)).toBe(true);
    expect(second.audioBytes).toBe(40);
    expect(third.audioBytes).toBe(0);
    expect(third.frame.every((byte) => byte === MULAW_SILENCE)).toBe(true);
  });

  it('when clear comes mid-playback, then the rest of the audio is dropped and every pending mark is returned at once, in order', () => {
    const playback = new PhonePlayback();
    for (const name of ['m1', 'm2', 'm3']) {
      playback.enqueueAudio(speech(200));
      playback.enqueueMark(name);
    }
    expect(playFrames(playback, 12)).toEqual([{ frame: 10, mark: 'm1' }]);

    const cleared = playback.clear();

    // 600 ms sent, 240 ms played.
    expect(cleared.marks).toEqual(['m2', 'm3']);
    expect(cleared.droppedMs).toBe(360);
    expect(cleared.droppedBytes).toBe(360 * MULAW_BYTES_PER_MS);
    expect(playback.bufferedMs).toBe(0);
    expect(playback.pendingMarks).toBe(0);
    const after = playback.playFrame();
    expect(after.audioBytes).toBe(0);
    expect(after.marks).toEqual([]);
  });

  it('when clear comes with nothing pending, then nothing is dropped and no mark is returned', () => {
    const playback = new PhonePlayback();
    expect(playback.clear()).toEqual({ droppedBytes: 0, droppedMs: 0, marks: [] });
  });

  it('when audio is played, cleared and played again, then played ms counts only audio that was heard, never the silence padding', () => {
    const playback = new PhonePlayback();
    playback.enqueueAudio(speech(90));
    playFrames(playback, 3); // 20 + 20 + 20
    expect(playback.playedMs).toBe(3 * FRAME_MS);
    expect(playback.bufferedMs).toBe(30);

    playback.clear();
    playback.enqueueAudio(speech(10));
    playFrames(playback, 4);

    expect(playback.playedMs).toBe(3 * FRAME_MS + 10);
    expect(playback.bufferedMs).toBe(0);
  });
});

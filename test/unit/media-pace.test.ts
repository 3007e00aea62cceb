import { describe, expect, it } from 'vitest';
import { MediaPace } from '../../src/call/media-pace.ts';
import { FRAME_MS } from '../../src/protocols/media-stream-messages.ts';

/** The pace limit on caller audio, driven by a test clock: Twilio's stream passes, a flood does not. */

const REAL_TIME = { maxPace: 1, burstMs: 5_000 };

/** A clock the test moves; the pace reads it. */
function clock(): { now: () => number; advance: (ms: number) => void } {
  let at = 0;
  return {
    now: () => at,
    advance: (ms) => {
      at += ms;
    },
  };
}

/** Sends `frames` 20 ms frames, `gapMs` apart on the clock; false as soon as one is refused. */
function stream(pace: MediaPace, advance: (ms: number) => void, frames: number, gapMs: number): boolean {
  for (let i = 0; i < frames; i += 1) {
    advance(gapMs);
    if (!pace.admit(FRAME_MS)) return false;
  }
  return true;
}

describe('MediaPace', () => {
  it('when an hour of audio arrives in real time, its frames early and late by up to 15 ms, then every frame is admitted', () => {
    const c = clock();
    const pace = new MediaPace(REAL_TIME, c.now);
    const frames = (60 * 60 * 1000) / FRAME_MS;
    let refused = 0;
    for (let i = 0; i < frames; i += 1) {
      // Gaps of 5 to 35 ms that average 20 ms: lateness that never accumulates, as Twilio's frame clock.
      c.advance(FRAME_MS + ((i % 7) - 3) * 5);
      if (!pace.admit(FRAME_MS)) refused += 1;
    }
    expect(refused).toBe(0);
  });

  it('when the network stalls for 4 s and Twilio then sends what it held back at once, then the burst is admitted', () => {
    const c = clock();
    const pace = new MediaPace(REAL_TIME, c.now);
    expect(stream(pace, c.advance, 500, FRAME_MS)).toBe(true);
    c.advance(4_000);
    expect(stream(pace, c.advance, 4_000 / FRAME_MS + 1, 0)).toBe(true);
    expect(stream(pace, c.advance, 500, FRAME_MS)).toBe(true);
  });

  it('when audio arrives more than the burst ahead of real time, then it is refused', () => {
    const c = clock();
    const pace = new MediaPace(REAL_TIME, c.now);
    expect(stream(pace, c.advance, 5_000 / FRAME_MS, 0)).toBe(true);
    expect(pace.admit(FRAME_MS)).toBe(false);
  });

  it('when a stall is longer than the burst, then the catch-up beyond the burst is refused: a long silence earns no credit', () => {
    const c = clock();
    const pace = new MediaPace(REAL_TIME, c.now);
    c.advance(60_000);
    expect(stream(pace, c.advance, 60_000 / FRAME_MS, 0)).toBe(false);
  });

  it('when audio arrives steadily 10% faster than real time, then it is refused within a minute', () => {
    const c = clock();
    const pace = new MediaPace(REAL_TIME, c.now);
    expect(stream(pace, c.advance, 3_000, FRAME_MS / 1.1)).toBe(false);
  });

  it('when frames carry no audio, then each still counts as a 20 ms frame', () => {
    const c = clock();
    const pace = new MediaPace(REAL_TIME, c.now);
    let admitted = 0;
    while (pace.admit(0)) admitted += 1;
    expect(admitted).toBe(5_000 / FRAME_MS);
  });

  it('when the pace is raised for a faster simulated phone, then that phone passes', () => {
    const c = clock();
    const pace = new MediaPace({ maxPace: 100, burstMs: 5_000 }, c.now);
    expect(stream(pace, c.advance, 30_000, FRAME_MS / 80)).toBe(true);
  });
});

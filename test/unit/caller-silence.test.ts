import { describe, expect, it } from 'vitest';
import { CallerSilence, type SilenceStep } from '../../src/call/caller-silence.ts';
import { FakeTimers } from '../support/fake-timers.ts';

/** The caller's silence on their turn, on a clock the test moves itself. */
function silenceOf(afterMs: number) {
  const timers = new FakeTimers();
  const steps: { step: SilenceStep; at: number }[] = [];
  const silence = new CallerSilence({ afterMs, timers, onSilence: (step) => steps.push({ step, at: timers.now }) });
  return { timers, steps, silence };
}

describe("the caller's silence", () => {
  it('when the line stays quiet, then the caller is asked once if still there, and after a second silence the goodbye is due', () => {
    const { timers, steps, silence } = silenceOf(20_000);
    silence.quiet();
    timers.advance(19_999);
    expect(steps).toEqual([]);
    timers.advance(1);
    expect(steps).toEqual([{ step: 'ask-if-still-there', at: 20_000 }]);
    // The question is being asked and played: not the caller's silence.
    silence.busy();
    timers.advance(5_000);
    silence.quiet();
    timers.advance(20_000);
    expect(steps).toEqual([
      { step: 'ask-if-still-there', at: 20_000 },
      { step: 'say-goodbye', at: 45_000 },
    ]);
  });

  it('when the agent speaks or a response is made, then the wait stops, and it starts from zero at the next quiet moment', () => {
    const { timers, steps, silence } = silenceOf(10_000);
    silence.quiet();
    timers.advance(9_000);
    silence.busy();
    timers.advance(30_000);
    expect(steps).toEqual([]);
    silence.quiet();
    timers.advance(9_999);
    expect(steps).toEqual([]);
    timers.advance(1);
    expect(steps.map((s) => s.step)).toEqual(['ask-if-still-there']);
  });

  it('when quiet moments come one after another, then the wait is not pushed back by each', () => {
    const { timers, steps, silence } = silenceOf(10_000);
    silence.quiet();
    timers.advance(6_000);
    silence.quiet();
    timers.advance(4_000);
    expect(steps.map((s) => s.at)).toEqual([10_000]);
  });

  it('when the caller speaks after being asked, then a later silence is asked about again rather than ending the call', () => {
    const { timers, steps, silence } = silenceOf(10_000);
    silence.quiet();
    timers.advance(10_000);
    silence.callerSpoke();
    silence.quiet();
    timers.advance(10_000);
    expect(steps.map((s) => s.step)).toEqual(['ask-if-still-there', 'ask-if-still-there']);
  });

  it('when it is off (0) or the call is ending, then nothing is ever asked and no timer is left', () => {
    const off = silenceOf(0);
    off.silence.quiet();
    off.timers.advance(3_600_000);
    expect(off.steps).toEqual([]);
    expect(off.timers.pending).toBe(0);

    const ending = silenceOf(10_000);
    ending.silence.quiet();
    ending.silence.stop();
    expect(ending.timers.pending).toBe(0);
    ending.silence.quiet();
    ending.timers.advance(60_000);
    expect(ending.steps).toEqual([]);
  });

  it('when the wait is negative or not a number, then it is refused at construction', () => {
    expect(() => new CallerSilence({ afterMs: -1, onSilence: () => undefined })).toThrow(RangeError);
    expect(() => new CallerSilence({ afterMs: Number.NaN, onSilence: () => undefined })).toThrow(RangeError);
  });
});

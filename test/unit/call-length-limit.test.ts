import { describe, expect, it } from 'vitest';
import { CallLengthLimit } from '../../src/call/call-length-limit.ts';
import { FakeTimers } from '../support/fake-timers.ts';

/** MAX_CALL_MINUTES for one call, on a clock the test moves itself. */
function limitOf(maxMs: number, graceMs = 15_000) {
  const timers = new FakeTimers();
  const seen: { what: 'reached' | 'overrun'; at: number }[] = [];
  const limit = new CallLengthLimit({
    maxMs,
    graceMs,
    timers,
    onReached: () => seen.push({ what: 'reached', at: timers.now }),
    onOverrun: () => seen.push({ what: 'overrun', at: timers.now }),
  });
  return { timers, seen, limit };
}

describe('the call length limit', () => {
  it('when the call reaches the limit, then the wrap-up is due, and once it is being made nothing overruns', () => {
    const { timers, seen, limit } = limitOf(1_200_000);
    timers.advance(1_199_999);
    expect(limit.due).toBe(false);
    timers.advance(1);
    expect(seen).toEqual([{ what: 'reached', at: 1_200_000 }]);
    expect(limit.due).toBe(true);
    timers.advance(5_000); // the agent finishes its sentence
    limit.wrappingUp();
    expect(limit.due).toBe(false);
    timers.advance(10_000);
    limit.stop(); // the goodbye was heard
    timers.advance(60_000);
    expect(seen.map((s) => s.what)).toEqual(['reached']);
    expect(timers.pending).toBe(0);
  });

  it('when no quiet moment comes after the limit, then it overruns after the grace time', () => {
    const { timers, seen } = limitOf(60_000, 15_000);
    timers.advance(60_000 + 15_000);
    expect(seen).toEqual([
      { what: 'reached', at: 60_000 },
      { what: 'overrun', at: 75_000 },
    ]);
  });

  it('when the wrap-up is begun but never made, then it overruns the grace time after it began, not after the limit', () => {
    const { timers, seen, limit } = limitOf(60_000, 15_000);
    timers.advance(70_000);
    limit.wrappingUp();
    timers.advance(14_999);
    expect(seen.map((s) => s.what)).toEqual(['reached']);
    timers.advance(1);
    expect(seen.at(-1)).toEqual({ what: 'overrun', at: 85_000 });
  });

  it('when there is no limit (0) or the call ends first, then nothing is ever due and no timer is left', () => {
    const none = limitOf(0);
    expect(none.timers.pending).toBe(0);
    none.timers.advance(24 * 3_600_000);
    expect(none.seen).toEqual([]);

    const ended = limitOf(60_000);
    ended.timers.advance(30_000);
    ended.limit.stop();
    expect(ended.timers.pending).toBe(0);
    ended.timers.advance(60_000);
    expect(ended.seen).toEqual([]);
    expect(ended.limit.due).toBe(false);
  });

  it('when the limit or the grace time is negative or not a number, then it is refused at construction', () => {
    const quiet = { onReached: () => undefined, onOverrun: () => undefined };
    expect(() => new CallLengthLimit({ maxMs: -1, graceMs: 0, ...quiet })).toThrow(RangeError);
    expect(() => new CallLengthLimit({ maxMs: Number.NaN, graceMs: 0, ...quiet })).toThrow(RangeError);
    expect(() => new CallLengthLimit({ maxMs: 1, graceMs: -1, ...quiet })).toThrow(RangeError);
  });
});

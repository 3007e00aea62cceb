import { describe, expect, it } from 'vitest';
import { PLAY_SESSION_MS, RecordingPlays } from '../../src/web/staff/recording-plays.ts';

const CALL = `CA${'a'.repeat(32)}`;

describe('recording play sessions', () => {
  it('when one sign-in session fetches a recording in many ranges within a play session, then one entry is written, and the next after it opens another', async () => {
    let clock = 0;
    const plays = new RecordingPlays(() => clock);
    let written = 0;
    const record = () => {
      written += 1;
      return Promise.resolve();
    };

    await Promise.all([plays.audited('s1', CALL, record), plays.audited('s1', CALL, record)]);
    clock = PLAY_SESSION_MS - 1;
    await plays.audited('s1', CALL, record);
    expect(written).toBe(1);

    await plays.audited('s2', CALL, record);
    await plays.audited('s1', `CA${'b'.repeat(32)}`, record);
    expect(written).toBe(3);

    clock = PLAY_SESSION_MS;
    await plays.audited('s1', CALL, record);
    expect(written).toBe(4);
  });

  it('when the entry cannot be written, then that fetch and those waiting on it fail, and the next fetch tries again', async () => {
    const plays = new RecordingPlays(() => 0);
    const failing = () => Promise.reject(new Error('database is locked'));
    let written = 0;
    const record = () => {
      written += 1;
      return Promise.resolve();
    };

    const first = plays.audited('s1', CALL, failing);
    const waiting = plays.audited('s1', CALL, record);

    await expect(first).rejects.toThrow('database is locked');
    await expect(waiting).rejects.toThrow('database is locked');
    await plays.audited('s1', CALL, record);
    expect(written).toBe(1);
  });
});

/**
 * Which recording fetches open a play, for the audit log. An audio player
 * asks for a recording in many ranges (from the start, then wherever the
 * listener seeks), so one row per request would bury the log; counting only
 * the request from byte 0 let `Range: bytes=1-` play a call unaudited. A play
 * session is one sign-in session listening to one call for at most
 * PLAY_SESSION_MS from its first fetch, whatever ranges it asks for: its first
 * fetch writes the row, every other fetch in it waits for that row, and the
 * first fetch after it opens the next play session.
 *
 * Kept in memory: an instance that has not seen the play session writes its
 * own row, so with several instances a play may have more than one row, never
 * none.
 */

export const PLAY_SESSION_MS = 10 * 60_000;

interface Play {
  readonly startedAt: number;
  readonly recorded: Promise<unknown>;
}

export class RecordingPlays {
  readonly #plays = new Map<string, Play>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /**
   * Resolves once the play session this fetch belongs to is in the audit log, writing it with `record` when the
   * fetch opens one. If the row cannot be written, this fetch and those waiting on it fail, and the next opens the
   * play session again.
   */
  async audited(sessionId: string, callSid: string, record: () => Promise<unknown>): Promise<void> {
    const now = this.#now();
    this.#forgetEnded(now);
    const key = `${sessionId} ${callSid}`;
    const open = this.#plays.get(key);
    if (open !== undefined) {
      await open.recorded;
      return;
    }
    const play: Play = { startedAt: now, recorded: record() };
    this.#plays.set(key, play);
    try {
      await play.recorded;
    } catch (error) {
      if (this.#plays.get(key) === play) this.#plays.delete(key);
      throw error;
    }
  }

  /** Plays are kept in the order they started, so the ended ones are at the front. */
  #forgetEnded(now: number): void {
    for (const [key, play] of this.#plays) {
      if (now - play.startedAt < PLAY_SESSION_MS) return;
      this.#plays.delete(key);
    }
  }
}

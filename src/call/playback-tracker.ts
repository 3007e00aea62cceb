import { payloadDurationMs } from '../protocols/media-stream-messages.ts';

/**
 * Knows how much of the agent's audio the caller has actually heard. Every
 * chunk sent to Twilio is followed by a mark; Twilio echoes a mark when
 * playback reaches it. Between echoes, the chunk being played is assumed to
 * play at real time from when the previous one finished (or from when it was
 * sent, if the line was idle). Pure: the clock is passed in.
 */
interface SentChunk {
  readonly mark: string;
  readonly itemId: string;
  readonly durationMs: number;
  /** Milliseconds of this item's audio up to the end of this chunk. */
  readonly itemEndMs: number;
  readonly sentAt: number;
}

export class PlaybackTracker {
  readonly #unplayed: SentChunk[] = [];
  readonly #itemSentMs = new Map<string, number>();
  readonly #itemHeardMs = new Map<string, number>();
  #lastFinishedAt = Number.NEGATIVE_INFINITY;
  #nextMark = 0;

  /** Records a chunk about to be sent; returns the mark name to send after it. */
  sent(itemId: string, base64Payload: string, now: number): string {
    const durationMs = payloadDurationMs(base64Payload);
    const itemEndMs = (this.#itemSentMs.get(itemId) ?? 0) + durationMs;
    this.#itemSentMs.set(itemId, itemEndMs);
    const mark = `a${this.#nextMark++}`;
    this.#unplayed.push({ mark, itemId, durationMs, itemEndMs, sentAt: now });
    return mark;
  }

  /** Twilio echoed a mark: everything up to it has been played. Unknown (cleared) marks are ignored. */
  marked(name: string, now: number): void {
    const index = this.#unplayed.findIndex((chunk) => chunk.mark === name);
    if (index < 0) return;
    for (const chunk of this.#unplayed.splice(0, index + 1)) this.#itemHeardMs.set(chunk.itemId, chunk.itemEndMs);
    this.#lastFinishedAt = now;
  }

  get hasUnplayedAudio(): boolean {
    return this.#unplayed.length > 0;
  }

  /** The item being played now, if any. */
  get playingItemId(): string | undefined {
    return this.#unplayed[0]?.itemId;
  }

  /** Milliseconds of `itemId` the caller has heard by `now`. */
  heardMs(itemId: string, now: number): number {
    const heard = this.#itemHeardMs.get(itemId) ?? 0;
    const playing = this.#unplayed[0];
    if (playing?.itemId !== itemId) return heard;
    const startedAt = Math.max(playing.sentAt, this.#lastFinishedAt);
    const intoChunk = Math.min(Math.max(now - startedAt, 0), playing.durationMs);
    return playing.itemEndMs - playing.durationMs + intoChunk;
  }

  /** After a Twilio `clear`: nothing is queued any more. */
  cleared(now: number): void {
    this.#unplayed.length = 0;
    this.#lastFinishedAt = now;
  }
}

import { FRAME_BYTES, MULAW_BYTES_PER_MS, MULAW_SILENCE } from '../protocols/media-stream-messages.ts';

/**
 * The caller's handset as Twilio drives it: audio the service sends is
 * buffered and played at 160 bytes per 20 ms tick; marks sit in the queue
 * between the audio and come back when playback reaches them; `clear` drops
 * the buffered audio and hands back every pending mark at once. Pure: the
 * simulator calls `playFrame()` on its clock.
 */

type QueueEntry =
  { readonly kind: 'audio'; readonly bytes: Buffer; offset: number } | { readonly kind: 'mark'; readonly name: string };

export interface PlayedFrame {
  /** Exactly one frame: the audio played, padded with silence when the buffer ran short. */
  readonly frame: Buffer;
  /** How much of `frame` was the service's audio (0 when nothing was buffered). */
  readonly audioBytes: number;
  /** Marks playback reached during (or at the end of) this frame, in the order they were sent. */
  readonly marks: readonly string[];
}

export interface ClearedPlayback {
  readonly droppedBytes: number;
  readonly droppedMs: number;
  /** Every mark still pending, in order: Twilio echoes them all when it clears. */
  readonly marks: readonly string[];
}

export class PhonePlayback {
  readonly #queue: QueueEntry[] = [];
  #bufferedBytes = 0;
  #playedBytes = 0;

  enqueueAudio(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.#queue.push({ kind: 'audio', bytes, offset: 0 });
    this.#bufferedBytes += bytes.length;
  }

  enqueueMark(name: string): void {
    this.#queue.push({ kind: 'mark', name });
  }

  /** Plays the next 20 ms. */
  playFrame(): PlayedFrame {
    const frame = Buffer.alloc(FRAME_BYTES, MULAW_SILENCE);
    const marks: string[] = [];
    let filled = 0;
    for (let head = this.#queue[0]; head !== undefined; head = this.#queue[0]) {
      if (head.kind === 'mark') {
        marks.push(head.name);
        this.#queue.shift();
        continue;
      }
      if (filled === FRAME_BYTES) break;
      const taken = Math.min(FRAME_BYTES - filled, head.bytes.length - head.offset);
      head.bytes.copy(frame, filled, head.offset, head.offset + taken);
      filled += taken;
      head.offset += taken;
      if (head.offset === head.bytes.length) this.#queue.shift();
    }
    this.#bufferedBytes -= filled;
    this.#playedBytes += filled;
    return { frame, audioBytes: filled, marks };
  }

  clear(): ClearedPlayback {
    const marks = this.#queue.flatMap((entry) => (entry.kind === 'mark' ? [entry.name] : []));
    const droppedBytes = this.#bufferedBytes;
    this.#queue.length = 0;
    this.#bufferedBytes = 0;
    return { droppedBytes, droppedMs: droppedBytes / MULAW_BYTES_PER_MS, marks };
  }

  /** Audio waiting to be played, in milliseconds. */
  get bufferedMs(): number {
    return this.#bufferedBytes / MULAW_BYTES_PER_MS;
  }

  /** Audio played so far (silence padding excluded), in milliseconds. */
  get playedMs(): number {
    return this.#playedBytes / MULAW_BYTES_PER_MS;
  }

  get pendingMarks(): number {
    return this.#queue.filter((entry) => entry.kind === 'mark').length;
  }
}

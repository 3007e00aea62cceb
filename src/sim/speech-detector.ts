/**
 * Voice activity detection on 8 kHz mu-law, for the realtime simulator's
 * stand-in of server VAD. Pure and deterministic: time is audio time (bytes
 * received / 8 per ms), never the wall clock, so a test that feeds the same
 * bytes always gets the same events at the same milliseconds.
 */

// The audio format is Twilio's: the same constants as the media-stream protocol module.
import { FRAME_BYTES, FRAME_MS } from '../protocols/media-stream-messages.ts';
import { MU_LAW_TO_LINEAR } from '../protocols/mu-law.ts';
export { FRAME_BYTES, FRAME_MS, MULAW_SILENCE } from '../protocols/media-stream-messages.ts';
export {
  MULAW_BYTES_PER_MS as BYTES_PER_MS,
  MULAW_SAMPLE_RATE as SAMPLE_RATE_HZ,
} from '../protocols/media-stream-messages.ts';

/** Root-mean-square level of mu-law samples, on the linear 16-bit scale (0 for mu-law silence). */
export function frameEnergy(frame: Uint8Array): number {
  if (frame.length === 0) return 0;
  let sumOfSquares = 0;
  for (const byte of frame) {
    const sample = MU_LAW_TO_LINEAR[byte] ?? 0;
    sumOfSquares += sample * sample;
  }
  return Math.sqrt(sumOfSquares / frame.length);
}

export interface SpeechDetectorOptions {
  /** RMS level (linear 16-bit scale) from which a frame counts as speech. */
  readonly threshold?: number;
  /** Quiet time that ends an utterance, as server VAD's silence_duration_ms. */
  readonly silenceDurationMs?: number;
  /** Audio before the detected start that belongs to the utterance, as server VAD's prefix_padding_ms. */
  readonly prefixPaddingMs?: number;
  /** Consecutive loud frames needed to call it speech: one frame is a click, not a word. */
  readonly minSpeechFrames?: number;
}

/**
 * About −40 dBFS. espeak-ng speech at normal volume sits at 1,000–8,000 with
 * brief dips in consonants; mu-law silence (0xFF) is 0 and a quiet phone
 * line stays well under 100.
 */
export const DEFAULT_ENERGY_THRESHOLD = 300;
/** The documented server VAD defaults. */
export const DEFAULT_SILENCE_DURATION_MS = 500;
export const DEFAULT_PREFIX_PADDING_MS = 300;
export const DEFAULT_MIN_SPEECH_FRAMES = 2;

export type SpeechEvent =
  | { readonly type: 'speech-started'; readonly audioStartMs: number }
  | { readonly type: 'speech-stopped'; readonly audioEndMs: number };

export class SpeechDetector {
  #threshold = DEFAULT_ENERGY_THRESHOLD;
  #silenceDurationMs = DEFAULT_SILENCE_DURATION_MS;
  #prefixPaddingMs = DEFAULT_PREFIX_PADDING_MS;
  #minSpeechFrames = DEFAULT_MIN_SPEECH_FRAMES;
  /** Bytes of an incomplete frame, kept for the next push. */
  #partial: Uint8Array = new Uint8Array(0);
  #framesSeen = 0;
  #loudRun = 0;
  #speaking = false;
  #quietMs = 0;

  constructor(options: SpeechDetectorOptions = {}) {
    this.configure(options);
  }

  /** Changes the given settings from the next frame on (a session.update mid-call); audio time and state carry on. */
  configure(options: SpeechDetectorOptions): void {
    const threshold = options.threshold ?? this.#threshold;
    const silenceDurationMs = options.silenceDurationMs ?? this.#silenceDurationMs;
    const prefixPaddingMs = options.prefixPaddingMs ?? this.#prefixPaddingMs;
    const minSpeechFrames = options.minSpeechFrames ?? this.#minSpeechFrames;
    if (!(threshold > 0)) throw new RangeError(`threshold must be positive, got ${threshold}`);
    if (!(silenceDurationMs >= FRAME_MS))
      throw new RangeError(`silenceDurationMs must be at least ${FRAME_MS}, got ${silenceDurationMs}`);
    if (!(prefixPaddingMs >= 0)) throw new RangeError(`prefixPaddingMs must not be negative, got ${prefixPaddingMs}`);
    if (!Number.isInteger(minSpeechFrames) || minSpeechFrames < 1)
      throw new RangeError(`minSpeechFrames must be a positive integer, got ${minSpeechFrames}`);
    this.#threshold = threshold;
    this.#silenceDurationMs = silenceDurationMs;
    this.#prefixPaddingMs = prefixPaddingMs;
    this.#minSpeechFrames = minSpeechFrames;
  }

  /** Audio received so far, in milliseconds (complete frames only). */
  get audioMs(): number {
    return this.#framesSeen * FRAME_MS;
  }

  get speaking(): boolean {
    return this.#speaking;
  }

  /** Feeds mu-law bytes of any length; returns what was detected in the frames they completed. */
  push(bytes: Uint8Array): SpeechEvent[] {
    const data = this.#partial.length === 0 ? bytes : concat(this.#partial, bytes);
    const events: SpeechEvent[] = [];
    let offset = 0;
    for (; offset + FRAME_BYTES <= data.length; offset += FRAME_BYTES) {
      const event = this.#frame(frameEnergy(data.subarray(offset, offset + FRAME_BYTES)) >= this.#threshold);
      if (event !== undefined) events.push(event);
    }
    this.#partial = data.slice(offset);
    return events;
  }

  #frame(loud: boolean): SpeechEvent | undefined {
    const frameStartMs = this.#framesSeen * FRAME_MS;
    this.#framesSeen += 1;
    const frameEndMs = frameStartMs + FRAME_MS;
    if (this.#speaking) {
      this.#quietMs = loud ? 0 : this.#quietMs + FRAME_MS;
      if (this.#quietMs < this.#silenceDurationMs) return undefined;
      this.#speaking = false;
      this.#quietMs = 0;
      this.#loudRun = 0;
      // As server VAD reports it: the end of the audio that closed the turn, trailing silence included.
      return { type: 'speech-stopped', audioEndMs: frameEndMs };
    }
    this.#loudRun = loud ? this.#loudRun + 1 : 0;
    if (this.#loudRun < this.#minSpeechFrames) return undefined;
    this.#speaking = true;
    this.#loudRun = 0;
    const firstLoudFrameMs = frameEndMs - this.#minSpeechFrames * FRAME_MS;
    return { type: 'speech-started', audioStartMs: Math.max(0, firstLoudFrameMs - this.#prefixPaddingMs) };
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}

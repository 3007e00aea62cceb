import { endianness } from 'node:os';
import { MULAW_BYTES_PER_MS, MULAW_SAMPLE_RATE, MULAW_SILENCE } from '../protocols/media-stream-messages.ts';
import { ByteTrack } from './byte-track.ts';
import { MU_LAW_TO_LINEAR } from '../protocols/mu-law.ts';
import { PCM_BYTES_PER_SAMPLE, pcm16WavHeader, WAV_HEADER_BYTES } from './wav-header.ts';

/**
 * One call as the caller heard it and said it: caller on the left, agent on
 * the right, on one timeline. Pure and clock-free: time is the call clock
 * the bridge passes in, which is caller audio received (Twilio streams the
 * caller's audio without gaps, so its length is the call's length).
 *
 * The agent's audio is placed where the phone played it: at the call time
 * it was sent, or, when audio is still queued, right after that (Twilio plays
 * what it is given back to back). A barge-in `clear` drops everything queued
 * after that moment, so the recording holds only what the caller heard.
 *
 * Both channels stay mu-law (8 KB a second each) until the WAV is read out
 * (wav(), in slices, or toWav(), whole), which expands them.
 *
 * A recording has a maximum length (`maxMs`): audio past it is not kept, on
 * either channel, and `capped` says some was left out. The call itself goes
 * on; only its recording stops.
 */

const CHANNELS = 2;
const LEFT = 0;
const RIGHT = 1;
const BLOCK_BYTES = CHANNELS * PCM_BYTES_PER_SAMPLE;

export interface StereoRecordingOptions {
  /** Nothing after this much call time is recorded; undefined: no limit. */
  readonly maxMs?: number;
}

/** A WAV read out in slices: `bytes(start, end)` is `toWav().subarray(start, end)`, without building the whole. */
export interface WavBytes {
  readonly byteLength: number;
  bytes(start: number, end: number): Buffer;
}

export class StereoRecording {
  readonly #caller = new ByteTrack();
  // The agent's audio as scheduled on the phone, mu-law silence where it said nothing.
  readonly #agent = new ByteTrack();
  readonly #maxSamples: number;
  #capped = false;

  constructor(options: StereoRecordingOptions = {}) {
    this.#maxSamples = options.maxMs === undefined ? Infinity : samplesAt(options.maxMs, 'maxMs');
  }

  /** A Twilio media payload from the caller (base64 mu-law), in arrival order. */
  caller(payload: string): void {
    this.#append(this.#caller, Buffer.from(payload, 'base64'));
  }

  /** An agent audio delta (base64 mu-law) sent to the phone at `atMs` on the call clock. */
  agent(delta: string, atMs: number): void {
    const start = Math.max(samplesAt(atMs, 'agent'), this.#agent.length);
    if (start >= this.#maxSamples) {
      this.#capped = true;
      return;
    }
    this.#agent.padTo(start, MULAW_SILENCE);
    this.#append(this.#agent, Buffer.from(delta, 'base64'));
  }

  /** Whether audio was left out because the recording reached its maximum length. */
  get capped(): boolean {
    return this.#capped;
  }

  #append(track: ByteTrack, bytes: Buffer): void {
    const room = this.#maxSamples - track.length;
    if (bytes.length > room) this.#capped = true;
    if (room > 0) track.append(bytes.length > room ? bytes.subarray(0, room) : bytes);
  }

  /** Twilio was told to `clear` at `atMs`: agent audio scheduled after that was never played. */
  cleared(atMs: number): void {
    this.#agent.truncate(samplesAt(atMs, 'cleared'));
  }

  /** Milliseconds from the start of the call to the end of whichever channel ends last. */
  get durationMs(): number {
    return this.#frames() / MULAW_BYTES_PER_MS;
  }

  /** 16-bit little-endian PCM, 8000 Hz, two channels (caller left, agent right), whole. */
  toWav(): Buffer {
    const wav = this.wav();
    return wav.bytes(0, wav.byteLength);
  }

  /**
   * The same WAV, read in slices: each slice expands only its own samples, so saving a long call holds one slice
   * of PCM at a time beside the mu-law. Valid until the recording changes.
   */
  wav(): WavBytes {
    const frames = this.#frames();
    const header = pcm16WavHeader({ sampleRate: MULAW_SAMPLE_RATE, channels: CHANNELS }, frames);
    const caller = this.#caller.view();
    const agent = this.#agent.view();
    const byteLength = WAV_HEADER_BYTES + frames * BLOCK_BYTES;
    return {
      byteLength,
      bytes(start, end) {
        const from = Math.max(0, Math.min(start, byteLength));
        const to = Math.max(from, Math.min(end, byteLength));
        const slice = Buffer.alloc(to - from);
        if (from < WAV_HEADER_BYTES) header.copy(slice, 0, from, Math.min(to, WAV_HEADER_BYTES));
        const firstFrame = Math.floor(Math.max(0, from - WAV_HEADER_BYTES) / BLOCK_BYTES);
        const endFrame = Math.ceil(Math.max(0, to - WAV_HEADER_BYTES) / BLOCK_BYTES);
        if (endFrame > firstFrame) {
          // A fresh zero-filled block: a channel that ended early stays at zero, which is silence in PCM.
          const pcm = Buffer.alloc((endFrame - firstFrame) * BLOCK_BYTES);
          writeChannel(pcm, caller.subarray(firstFrame, endFrame), LEFT);
          writeChannel(pcm, agent.subarray(firstFrame, endFrame), RIGHT);
          const pcmAt = WAV_HEADER_BYTES + firstFrame * BLOCK_BYTES;
          pcm.copy(slice, Math.max(0, pcmAt - from), Math.max(0, from - pcmAt), to - pcmAt);
        }
        return slice;
      },
    };
  }

  #frames(): number {
    return Math.max(this.#caller.length, this.#agent.length);
  }
}

function samplesAt(atMs: number, what: string): number {
  if (!Number.isFinite(atMs) || atMs < 0)
    throw new RangeError(`${what}: the call time must be a non-negative number of ms, not ${atMs}`);
  return Math.round(atMs * MULAW_BYTES_PER_MS);
}

// WAV samples are little-endian; on a little-endian machine (nearly every platform Node runs on) a typed-array view
// writes them several times faster than writeInt16LE, which matters: a long call is written while other calls are live.
const LITTLE_ENDIAN = endianness() === 'LE';

/** Expands one channel's mu-law into interleaved PCM frames, from the start of `pcm`. */
function writeChannel(pcm: Buffer, mulaw: Uint8Array, channel: number): void {
  if (LITTLE_ENDIAN && pcm.byteOffset % PCM_BYTES_PER_SAMPLE === 0) {
    const samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / PCM_BYTES_PER_SAMPLE);
    for (let i = 0, at = channel; i < mulaw.length; i += 1, at += CHANNELS)
      samples[at] = MU_LAW_TO_LINEAR[mulaw[i] ?? MULAW_SILENCE] ?? 0;
    return;
  }
  let offset = channel * PCM_BYTES_PER_SAMPLE;
  for (const byte of mulaw) {
    pcm.writeInt16LE(MU_LAW_TO_LINEAR[byte] ?? 0, offset);
    offset += BLOCK_BYTES;
  }
}

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
 * Both channels stay mu-law (8 KB a second each) until toWav() expands them.
 */

const CHANNELS = 2;
const LEFT = 0;
const RIGHT = 1;

export class StereoRecording {
  readonly #caller = new ByteTrack();
  // The agent's audio as scheduled on the phone, mu-law silence where it said nothing.
  readonly #agent = new ByteTrack();

  /** A Twilio media payload from the caller (base64 mu-law), in arrival order. */
  caller(payload: string): void {
    this.#caller.append(Buffer.from(payload, 'base64'));
  }

  /** An agent audio delta (base64 mu-law) sent to the phone at `atMs` on the call clock. */
  agent(delta: string, atMs: number): void {
    const start = Math.max(samplesAt(atMs, 'agent'), this.#agent.length);
    this.#agent.padTo(start, MULAW_SILENCE);
    this.#agent.append(Buffer.from(delta, 'base64'));
  }

  /** Twilio was told to `clear` at `atMs`: agent audio scheduled after that was never played. */
  cleared(atMs: number): void {
    this.#agent.truncate(samplesAt(atMs, 'cleared'));
  }

  /** Milliseconds from the start of the call to the end of whichever channel ends last. */
  get durationMs(): number {
    return this.#frames() / MULAW_BYTES_PER_MS;
  }

  /** 16-bit little-endian PCM, 8000 Hz, two channels (caller left, agent right). */
  toWav(): Buffer {
    const frames = this.#frames();
    const wav = Buffer.alloc(WAV_HEADER_BYTES + frames * CHANNELS * PCM_BYTES_PER_SAMPLE);
    pcm16WavHeader({ sampleRate: MULAW_SAMPLE_RATE, channels: CHANNELS }, frames).copy(wav, 0);
    // A channel that ended early stays at zero (the buffer is zero-filled), which is silence in PCM.
    writeChannel(wav, this.#caller.view(), LEFT);
    writeChannel(wav, this.#agent.view(), RIGHT);
    return wav;
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

function writeChannel(wav: Buffer, mulaw: Uint8Array, channel: number): void {
  if (LITTLE_ENDIAN && (wav.byteOffset + WAV_HEADER_BYTES) % PCM_BYTES_PER_SAMPLE === 0) {
    const pcm = new Int16Array(
      wav.buffer,
      wav.byteOffset + WAV_HEADER_BYTES,
      (wav.length - WAV_HEADER_BYTES) / PCM_BYTES_PER_SAMPLE,
    );
    for (let i = 0, at = channel; i < mulaw.length; i += 1, at += CHANNELS)
      pcm[at] = MU_LAW_TO_LINEAR[mulaw[i] ?? MULAW_SILENCE] ?? 0;
    return;
  }
  const stride = CHANNELS * PCM_BYTES_PER_SAMPLE;
  let offset = WAV_HEADER_BYTES + channel * PCM_BYTES_PER_SAMPLE;
  for (const byte of mulaw) {
    wav.writeInt16LE(MU_LAW_TO_LINEAR[byte] ?? 0, offset);
    offset += stride;
  }
}

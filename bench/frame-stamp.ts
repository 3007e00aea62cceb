import { MULAW_SILENCE } from '../src/protocols/media-stream-messages.ts';

/**
 * The bench's probe: every audio payload it sends (a caller's 20 ms frame, a
 * model delta) carries a small header in its first bytes. The service
 * forwards mu-law payloads byte for byte, so the header survives the bridge,
 * and the receiver on the far side learns which stream and frame it is and
 * when it was sent, without any table of send times.
 *
 * Layout (little-endian): u32 stream id, u32 sequence number, u64 send time in
 * nanoseconds from process.hrtime (CLOCK_MONOTONIC, the same clock in every
 * thread of the bench process). The rest of the payload is mu-law silence.
 */

export const STAMP_BYTES = 16;
/** Base64 characters that hold the header: 16 bytes round up to 18 (24 characters), decodable on their own. */
const STAMP_BASE64_CHARS = 24;
const SEQUENCE_OFFSET = 4;
const TIME_OFFSET = 8;
const NS_PER_MS = 1e6;

export interface Stamp {
  readonly streamId: number;
  readonly sequence: number;
  /** process.hrtime.bigint() at send, in nanoseconds. */
  readonly sentNs: bigint;
}

/**
 * A reusable payload template for one stream: the body is silence, only the header changes per frame,
 * so each send costs one header write and one base64 encoding.
 */
export class StampedPayload {
  readonly #buffer: Buffer;
  readonly #streamId: number;

  constructor(streamId: number, bytes: number) {
    if (bytes < STAMP_BYTES) throw new RangeError(`a stamped payload needs at least ${STAMP_BYTES} bytes`);
    this.#buffer = Buffer.alloc(bytes, MULAW_SILENCE);
    this.#streamId = streamId;
  }

  /** Writes the header with the current time; the buffer is reused, so encode it before the next call. */
  stamp(sequence: number): Buffer {
    this.#buffer.writeUInt32LE(this.#streamId, 0);
    this.#buffer.writeUInt32LE(sequence, SEQUENCE_OFFSET);
    this.#buffer.writeBigUInt64LE(process.hrtime.bigint(), TIME_OFFSET);
    return this.#buffer;
  }
}

/** Reads the header from the first characters of a base64 payload; undefined if it is too short to carry one. */
export function readStamp(base64: string): Stamp | undefined {
  if (base64.length < STAMP_BASE64_CHARS) return undefined;
  const header = Buffer.from(base64.slice(0, STAMP_BASE64_CHARS), 'base64');
  if (header.length < STAMP_BYTES) return undefined;
  return {
    streamId: header.readUInt32LE(0),
    sequence: header.readUInt32LE(SEQUENCE_OFFSET),
    sentNs: header.readBigUInt64LE(TIME_OFFSET),
  };
}

/** Milliseconds from `fromNs` to `toNs` (both process.hrtime.bigint()). */
export const elapsedMs = (fromNs: bigint, toNs: bigint): number => Number(toNs - fromNs) / NS_PER_MS;

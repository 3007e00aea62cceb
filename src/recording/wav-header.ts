/**
 * The 44-byte header of a canonical RIFF/WAVE file holding 16-bit PCM: what
 * every player, browser <audio> element and editor opens without guessing.
 * Pure.
 */

export const WAV_HEADER_BYTES = 44;
export const PCM_BYTES_PER_SAMPLE = 2;
const BITS_PER_BYTE = 8;
const FMT_CHUNK_BYTES = 16;
const WAVE_FORMAT_PCM = 1;
// RIFF's size field counts everything after itself: "WAVE", the fmt chunk and the data chunk header.
const RIFF_SIZE_BEFORE_DATA = WAV_HEADER_BYTES - 8;
const MAX_CHUNK_BYTES = 0xffff_ffff;

export interface PcmFormat {
  readonly sampleRate: number;
  readonly channels: number;
}

/** The header for `frames` sample frames (one sample per channel each) of 16-bit little-endian PCM. */
export function pcm16WavHeader(format: PcmFormat, frames: number): Buffer {
  const blockAlign = format.channels * PCM_BYTES_PER_SAMPLE;
  const dataBytes = frames * blockAlign;
  if (!Number.isInteger(frames) || frames < 0 || dataBytes + RIFF_SIZE_BEFORE_DATA > MAX_CHUNK_BYTES) {
    throw new RangeError(`a WAV file cannot hold ${frames} sample frames (its sizes are 32-bit)`);
  }
  const header = Buffer.alloc(WAV_HEADER_BYTES);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(RIFF_SIZE_BEFORE_DATA + dataBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(FMT_CHUNK_BYTES, 16);
  header.writeUInt16LE(WAVE_FORMAT_PCM, 20);
  header.writeUInt16LE(format.channels, 22);
  header.writeUInt32LE(format.sampleRate, 24);
  header.writeUInt32LE(format.sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(PCM_BYTES_PER_SAMPLE * BITS_PER_BYTE, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}

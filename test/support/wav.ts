/**
 * Reads a RIFF/WAVE file the way a player would, chunk by chunk, without
 * trusting the writer's layout: the tests check our WAV through this rather
 * than through the code that wrote it.
 */
export interface WavFile {
  readonly audioFormat: number;
  readonly channels: number;
  readonly sampleRate: number;
  readonly byteRate: number;
  readonly blockAlign: number;
  readonly bitsPerSample: number;
  readonly riffSize: number;
  readonly dataBytes: number;
  /** One array of samples per channel (16-bit PCM only). */
  readonly samples: readonly Int16Array[];
}

export function readWav(file: Buffer): WavFile {
  if (file.toString('ascii', 0, 4) !== 'RIFF' || file.toString('ascii', 8, 12) !== 'WAVE')
    throw new Error('not a RIFF/WAVE file');
  let format: Omit<WavFile, 'riffSize' | 'dataBytes' | 'samples'> | undefined;
  let data: Buffer | undefined;
  for (let at = 12; at + 8 <= file.length;) {
    const id = file.toString('ascii', at, at + 4);
    const size = file.readUInt32LE(at + 4);
    const body = file.subarray(at + 8, at + 8 + size);
    if (id === 'fmt ') {
      format = {
        audioFormat: body.readUInt16LE(0),
        channels: body.readUInt16LE(2),
        sampleRate: body.readUInt32LE(4),
        byteRate: body.readUInt32LE(8),
        blockAlign: body.readUInt16LE(12),
        bitsPerSample: body.readUInt16LE(14),
      };
    } else if (id === 'data') {
      data = body;
    }
    at += 8 + size + (size % 2); // chunks are padded to an even length
  }
  if (format === undefined || data === undefined) throw new Error('no fmt or data chunk');
  if (format.bitsPerSample !== 16) throw new Error(`expected 16-bit samples, not ${format.bitsPerSample}`);
  const frames = data.length / format.blockAlign;
  const samples = Array.from({ length: format.channels }, () => new Int16Array(frames));
  for (let frame = 0; frame < frames; frame += 1) {
    for (let channel = 0; channel < format.channels; channel += 1) {
      samples[channel]![frame] = data.readInt16LE(frame * format.blockAlign + channel * 2);
    }
  }
  return { ...format, riffSize: file.readUInt32LE(4), dataBytes: data.length, samples };
}

/** Root-mean-square level of samples [from, to) of one channel (0 for an empty range). */
export function rms(channel: Int16Array, from: number, to: number): number {
  const start = Math.max(0, Math.floor(from));
  const end = Math.min(channel.length, Math.floor(to));
  if (end <= start) return 0;
  let sum = 0;
  for (let i = start; i < end; i += 1) sum += channel[i]! * channel[i]!;
  return Math.sqrt(sum / (end - start));
}

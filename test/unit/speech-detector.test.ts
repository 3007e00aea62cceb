import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/sim/scenario.ts';
import {
  BYTES_PER_MS,
  FRAME_BYTES,
  FRAME_MS,
  MULAW_SILENCE,
  SAMPLE_RATE_HZ,
  SpeechDetector,
  frameEnergy,
  type SpeechEvent,
} from '../../src/sim/speech-detector.ts';
import { muLawToLinear } from '../../src/protocols/mu-law.ts';

const silence = (ms: number): Buffer => Buffer.alloc(ms * BYTES_PER_MS, MULAW_SILENCE);

/** Standard G.711 mu-law encoder (the inverse of the decoder under test), for synthetic tones. */
function linearToMuLaw(sample: number): number {
  const BIAS = 0x84;
  const CLIP = 32635;
  const sign = sample < 0 ? 0x80 : 0;
  let magnitude = Math.min(Math.abs(sample), CLIP) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent -= 1;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  magnitude = ~(sign | (exponent << 4) | mantissa) & 0xff;
  return magnitude;
}

function tone(ms: number, amplitude: number, hz = 440): Buffer {
  const samples = ms * BYTES_PER_MS;
  const bytes = Buffer.alloc(samples);
  for (let i = 0; i < samples; i += 1)
    bytes[i] = linearToMuLaw(Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / SAMPLE_RATE_HZ)));
  return bytes;
}

function detect(detector: SpeechDetector, ...parts: Buffer[]): SpeechEvent[] {
  return parts.flatMap((part) => detector.push(part));
}

describe('mu-law in the speech detector', () => {
  it('when a sample is encoded and decoded again, then it comes back within mu-law quantisation', () => {
    for (const sample of [-30000, -1000, -100, 0, 50, 999, 12345, 32000]) {
      const decoded = muLawToLinear(linearToMuLaw(sample));
      expect(Math.abs(decoded - sample)).toBeLessThanOrEqual(Math.max(8, Math.abs(sample) / 16));
    }
  });

  it('when measuring a frame, then silence is 0 and a full-scale square wave is about 32124', () => {
    expect(frameEnergy(silence(FRAME_MS))).toBe(0);
    const square = Buffer.alloc(FRAME_BYTES);
    for (let i = 0; i < FRAME_BYTES; i += 1) square[i] = i % 2 === 0 ? 0x80 : 0x00;
    expect(frameEnergy(square)).toBeCloseTo(32124, 0);
    expect(frameEnergy(new Uint8Array(0))).toBe(0);
  });
});

describe('SpeechDetector', () => {
  it('when it hears only mu-law silence, then it reports nothing and keeps audio time', () => {
    const detector = new SpeechDetector();
    expect(detect(detector, silence(3000))).toEqual([]);
    expect(detector.audioMs).toBe(3000);
    expect(detector.speaking).toBe(false);
  });

  it('when a loud tone follows silence, then speech starts at the tone minus the prefix padding and stops after the silence duration', () => {
    const detector = new SpeechDetector({ prefixPaddingMs: 300, silenceDurationMs: 500 });
    const events = detect(detector, silence(1000), tone(800, 8000), silence(1000));
    expect(events).toEqual([
      { type: 'speech-started', audioStartMs: 700 },
      { type: 'speech-stopped', audioEndMs: 1800 + 500 },
    ]);
    expect(detector.speaking).toBe(false);
  });

  it('when speech begins within the prefix padding of the start, then audio_start_ms is not negative', () => {
    const events = detect(new SpeechDetector({ prefixPaddingMs: 300 }), silence(100), tone(200, 8000), silence(600));
    expect(events[0]).toEqual({ type: 'speech-started', audioStartMs: 0 });
  });

  it('when a single loud frame (a click) is heard, then it is not speech', () => {
    expect(detect(new SpeechDetector(), silence(500), tone(FRAME_MS, 20000), silence(1000))).toEqual([]);
  });

  it('when a tone is quieter than the threshold, then it is not speech, and above it, it is', () => {
    expect(detect(new SpeechDetector({ threshold: 2000 }), tone(1000, 1000), silence(600))).toEqual([]);
    expect(detect(new SpeechDetector({ threshold: 2000 }), tone(1000, 8000), silence(600))).toHaveLength(2);
  });

  it('when a pause is shorter than the silence duration, then the utterance goes on', () => {
    const events = detect(
      new SpeechDetector({ silenceDurationMs: 500 }),
      tone(400, 8000),
      silence(400),
      tone(400, 8000),
      silence(600),
    );
    expect(events.map((event) => event.type)).toEqual(['speech-started', 'speech-stopped']);
    expect(events[1]).toEqual({ type: 'speech-stopped', audioEndMs: 1200 + 500 });
  });

  it('when the same audio arrives in odd-sized pieces, then the events are the same as in whole frames', () => {
    const audio = Buffer.concat([silence(400), tone(600, 6000), silence(700), tone(300, 6000), silence(900)]);
    const whole = detect(new SpeechDetector(), audio);
    const pieces: Buffer[] = [];
    for (let offset = 0, size = 7; offset < audio.length; offset += size, size = ((size * 7) % 389) + 1)
      pieces.push(audio.subarray(offset, offset + size));
    expect(detect(new SpeechDetector(), ...pieces)).toEqual(whole);
    expect(whole).toHaveLength(4);
  });

  it('when the silence duration is reconfigured mid-call, then the next utterance ends by the new setting', () => {
    const detector = new SpeechDetector({ silenceDurationMs: 500 });
    detector.push(silence(100));
    detector.configure({ silenceDurationMs: 800 });
    const events = detect(detector, tone(400, 8000), silence(1000));
    expect(events[1]).toEqual({ type: 'speech-stopped', audioEndMs: 500 + 800 });
  });

  it('when options are out of range, then the constructor says which', () => {
    expect(() => new SpeechDetector({ threshold: 0 })).toThrow(/threshold/);
    expect(() => new SpeechDetector({ silenceDurationMs: 5 })).toThrow(/silenceDurationMs/);
    expect(() => new SpeechDetector({ minSpeechFrames: 0 })).toThrow(/minSpeechFrames/);
  });

  it("when it hears a scenario's recorded caller line followed by silence, then it finds exactly one utterance spanning it", () => {
    const scenario = loadScenario('happy-path');
    const turn = scenario.turns.find((candidate) => candidate.speaker === 'caller');
    if (turn?.speaker !== 'caller') throw new Error('happy-path has no caller turn');
    const audio = scenario.audioOf(turn.audio);
    const audioMs = audio.length / BYTES_PER_MS;
    const events = detect(
      new SpeechDetector({ prefixPaddingMs: 0, silenceDurationMs: 500 }),
      silence(600),
      audio,
      silence(800),
    );
    expect(events.map((event) => event.type)).toEqual(['speech-started', 'speech-stopped']);
    const [started, stopped] = events as [
      Extract<SpeechEvent, { type: 'speech-started' }>,
      Extract<SpeechEvent, { type: 'speech-stopped' }>,
    ];
    expect(started.audioStartMs).toBeGreaterThanOrEqual(600);
    expect(started.audioStartMs).toBeLessThan(700);
    expect(stopped.audioEndMs).toBeGreaterThan(600 + audioMs - 500);
    expect(stopped.audioEndMs).toBeLessThanOrEqual(600 + audioMs + 500 + FRAME_MS);
  });
});

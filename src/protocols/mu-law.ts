/**
 * G.711 mu-law expansion: Twilio's 8 kHz telephone audio as linear PCM, for
 * call recordings and for the simulators' speech detection. Written here
 * rather than imported: it is a few lines.
 */

// Bytes are stored inverted; 1 sign bit, 3 exponent bits, 4 mantissa bits;
// the bias of 0x84 (132) is added before encoding and taken off here.
const SIGN_BIT = 0x80;
const EXPONENT_SHIFT = 4;
const EXPONENT_MASK = 0x07;
const MANTISSA_MASK = 0x0f;
const MANTISSA_SHIFT = 3;
const BIAS = 0x84;
const BYTE_MASK = 0xff;
const BYTE_VALUES = 256;

/** One mu-law byte to a linear 16-bit sample (−32124 … 32124). */
export function muLawToLinear(byte: number): number {
  const inverted = ~byte & BYTE_MASK;
  const exponent = (inverted >> EXPONENT_SHIFT) & EXPONENT_MASK;
  const mantissa = inverted & MANTISSA_MASK;
  const magnitude = (((mantissa << MANTISSA_SHIFT) + BIAS) << exponent) - BIAS;
  // 0 - m rather than -m: mu-law's negative zero (0x7F) is plain 0, never -0.
  return (inverted & SIGN_BIT) === 0 ? magnitude : 0 - magnitude;
}

/** Every byte's sample, computed once: decoding a long call is then one lookup per sample. */
export const MU_LAW_TO_LINEAR: Int16Array = Int16Array.from({ length: BYTE_VALUES }, (_, byte) => muLawToLinear(byte));

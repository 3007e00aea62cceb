import { randomInt } from 'node:crypto';

/**
 * Reference numbers are read aloud on the phone and typed from an SMS, so the
 * alphabet leaves out characters that sound or look alike: 0/O, 1/I/L.
 * Thirty-one symbols to the power of six is about 887 million per year;
 * the database's unique index catches the rare collision and we draw again.
 */
export const REFERENCE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const REFERENCE_RANDOM_LENGTH = 6;
const REFERENCE_PATTERN = new RegExp(`^FP-\\d{4}-[${REFERENCE_ALPHABET}]{${REFERENCE_RANDOM_LENGTH}}$`);

export function newReferenceNumber(year: number, random: (max: number) => number = randomInt): string {
  let code = '';
  for (let i = 0; i < REFERENCE_RANDOM_LENGTH; i++) code += REFERENCE_ALPHABET[random(REFERENCE_ALPHABET.length)] ?? '';
  return `FP-${year}-${code}`;
}

export function isReferenceNumber(text: string): boolean {
  return REFERENCE_PATTERN.test(text);
}

/** "F P, 2 0 2 6, 7 K Q, 3 X M": how the voice agent reads a reference out, in groups a caller can write down. */
export function spokenReferenceNumber(reference: string): string {
  const [prefix = '', year = '', code = ''] = reference.split('-');
  const spaced = (part: string) => part.split('').join(' ');
  return [spaced(prefix), spaced(year), spaced(code.slice(0, 3)), spaced(code.slice(3))].join(', ');
}

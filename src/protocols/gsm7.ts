// GSM 03.38 (3GPP TS 23.038) default alphabet: the only characters an SMS can
// carry at 7 bits each. One character outside it switches the whole message to
// UCS-2, which cuts a segment from 160 to 70 characters, so we keep SMS text
// strictly inside this table.

/**
 * The basic table in code order (0x00-0x7F), read row by row. 0x1B is left
 * out: it is the escape into the extension table, not a character.
 */
export const GSM7_BASIC_ALPHABET: string = [
  '@£$¥èéùìòÇ\nØø\rÅå',
  'Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ',
  ' !"#¤%&\'()*+,-./',
  '0123456789:;<=>?',
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§',
  '¿abcdefghijklmnopqrstuvwxyzäöñüà',
].join('');

/**
 * Characters sent as escape + code, so each costs two septets. The form feed
 * (also in the extension table) is left out: it is a control character we
 * never want in a message.
 */
export const GSM7_EXTENSION_ALPHABET = '^{}\\[~]|€';

/** Septets per segment: a lone SMS, and each part of a concatenated one (7 septets go to the UDH). */
export const SEGMENT_SEPTETS = Object.freeze({ single: 160, multipart: 153 });

const SEPTETS_PER_BASIC_CHAR = 1;
const SEPTETS_PER_EXTENSION_CHAR = 2;

const BASIC_CHARS: ReadonlySet<string> = new Set(GSM7_BASIC_ALPHABET);
const EXTENSION_CHARS: ReadonlySet<string> = new Set(GSM7_EXTENSION_ALPHABET);

/**
 * Look-alikes that Unicode decomposition cannot reduce to a GSM character.
 * Accented letters are not listed: NFD plus dropping the marks handles them.
 */
const TRANSLITERATIONS: Readonly<Record<string, string>> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201A': "'",
  '\u201B': "'",
  '\u2032': "'",
  '`': "'",
  '\u00B4': "'",
  '\u201C': '"',
  '\u201D': '"',
  '\u201E': '"',
  '\u201F': '"',
  '\u2033': '"',
  '\u00AB': '"',
  '\u00BB': '"',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2015': '-',
  '\u2212': '-',
  '\u2026': '...',
  Ł: 'L',
  ł: 'l',
  Đ: 'D',
  đ: 'd',
  Œ: 'OE',
  œ: 'oe',
  ı: 'i',
};

// Zero-width and other format characters (ZWJ in emoji, BOM, bidi marks) carry
// nothing a reader would miss.
const FORMAT_CHAR = /^\p{Cf}$/u;
// Checked after FORMAT_CHAR, so the zero-width no-break space (U+FEFF) is dropped, not spaced.
const WHITESPACE_CHAR = /^\s$/u;
const COMBINING_MARKS = /\p{M}/gu;

function isGsm7Char(char: string): boolean {
  return BASIC_CHARS.has(char) || EXTENSION_CHARS.has(char);
}

/** True when every character is in the GSM-7 basic or extension table. */
export function isGsm7(text: string): boolean {
  for (const char of text) {
    if (!isGsm7Char(char)) return false;
  }
  return true;
}

/** True when every character is in the basic table, i.e. costs one septet. */
export function isBasicGsm7(text: string): boolean {
  for (const char of text) {
    if (!BASIC_CHARS.has(char)) return false;
  }
  return true;
}

/**
 * Septets needed to send `text` in GSM-7. Throws a RangeError on a character
 * outside the alphabet: such text would go out as UCS-2, where septets mean
 * nothing, so asking is a programming error (run it through toGsm7 first).
 */
export function gsm7Septets(text: string): number {
  let septets = 0;
  for (const char of text) septets += charSeptets(char);
  return septets;
}

function charSeptets(char: string): number {
  if (BASIC_CHARS.has(char)) return SEPTETS_PER_BASIC_CHAR;
  if (EXTENSION_CHARS.has(char)) return SEPTETS_PER_EXTENSION_CHAR;
  throw new RangeError(
    `not a GSM-7 character: U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`,
  );
}

/**
 * Rewrites `text` so it is GSM-7 only: typographic quotes, dashes, ellipsis and
 * unusual spaces become their plain forms, accented letters lose accents the
 * alphabet lacks, line breaks and tabs become spaces (values go on one line),
 * and whatever is still not representable (emoji, CJK, controls) is dropped.
 */
export function toGsm7(text: string): string {
  // NFC first so that a letter typed as base + combining accent can still
  // match a precomposed GSM letter such as é.
  let result = '';
  for (const char of text.normalize('NFC')) result += transliterateChar(char);
  return result;
}

function transliterateChar(char: string): string {
  if (FORMAT_CHAR.test(char)) return '';
  if (WHITESPACE_CHAR.test(char)) return ' ';
  const mapped = TRANSLITERATIONS[char];
  if (mapped !== undefined) return mapped;
  if (isGsm7Char(char)) return char;
  const withoutAccents = char.normalize('NFD').replace(COMBINING_MARKS, '');
  return isGsm7(withoutAccents) ? withoutAccents : '';
}

/**
 * Segments a GSM-7 message occupies. An escape and the character after it must
 * travel in the same segment (3GPP TS 23.040), so a part of a long message can
 * hold 152 septets rather than 153; counting part by part gets that right
 * where dividing by 153 would not. Empty text still takes one segment.
 */
export function smsSegments(text: string): number {
  if (gsm7Septets(text) <= SEGMENT_SEPTETS.single) return 1;
  let segments = 1;
  let septetsInSegment = 0;
  for (const char of text) {
    const septets = charSeptets(char);
    if (septetsInSegment + septets > SEGMENT_SEPTETS.multipart) {
      segments += 1;
      septetsInSegment = 0;
    }
    septetsInSegment += septets;
  }
  return segments;
}

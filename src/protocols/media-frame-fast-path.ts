import type { TwilioMediaMessage } from './media-stream-messages.ts';

/**
 * The cheap way to accept a Twilio `media` frame, 50 a second per call. Each
 * reader here either returns exactly what the zod `media` schema would have
 * made of the frame, or undefined: "not sure", and the caller then runs the
 * full parse, which also words the reason for a bad frame. Nothing is ever
 * rejected here, so a malformed frame is reported as it always was. The
 * property test in test/unit/media-frame-fast-path.test.ts holds both readers
 * to the zod union on generated frames.
 */

// Character codes the readers look for.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
// Below this, a character must be escaped inside a JSON string (RFC 8259 §7).
const FIRST_PLAIN_CHAR = 0x20;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const EQUALS = 0x3d;
const MAX_PADDING = 2;

const isDigit = (code: number): boolean => code >= DIGIT_0 && code <= DIGIT_9;

// One lookup per character: three times cheaper than the same test written as comparisons, or as the regex
// (npm run bench:frames).
const ASCII_END = 0x80;
const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const IS_BASE64 = new Uint8Array(ASCII_END);
for (let i = 0; i < BASE64_ALPHABET.length; i++) IS_BASE64[BASE64_ALPHABET.charCodeAt(i)] = 1;

const isBase64Char = (code: number): boolean => code < ASCII_END && IS_BASE64[code] === 1;

/** The media schema's numeric strings, /^\d+$/, without a regex. */
export function isNumericText(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

/** The media schema's payload check, /^[A-Za-z0-9+/]*={0,2}$/, without a regex (length is not checked there either). */
export function isBase64Text(text: string): boolean {
  return base64End(text, 0) === text.length;
}

/** Where a run of base64 (alphabet, then at most two '=') starting at `from` ends. */
function base64End(text: string, from: number): number {
  let i = from;
  while (i < text.length && isBase64Char(text.charCodeAt(i))) i++;
  const alphabetEnd = i;
  while (i < text.length && i - alphabetEnd < MAX_PADDING && text.charCodeAt(i) === EQUALS) i++;
  return i;
}

const optionalString = (value: unknown): value is string | undefined =>
  value === undefined || typeof value === 'string';
const optionalNumeric = (value: unknown): value is string | undefined =>
  value === undefined || (typeof value === 'string' && isNumericText(value));
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A frame JSON.parse has already read. The result is built afresh with the
 * schema's keys in the schema's order and absent optional keys left out,
 * because z.object strips every key it does not name.
 */
export function checkMediaFrame(json: unknown): TwilioMediaMessage | undefined {
  if (!isRecord(json) || json.event !== 'media') return undefined;
  const { sequenceNumber, streamSid, media } = json;
  if (!optionalNumeric(sequenceNumber) || typeof streamSid !== 'string' || streamSid.length === 0) return undefined;
  if (!isRecord(media)) return undefined;
  const { track, chunk, timestamp, payload } = media;
  if (!optionalString(track) || !optionalNumeric(chunk) || !optionalNumeric(timestamp)) return undefined;
  if (typeof payload !== 'string' || !isBase64Text(payload)) return undefined;
  // Filled key by key so the keys come in the schema's order, as zod's output has them.
  const inner = {} as TwilioMediaMessage['media'];
  if (track !== undefined) inner.track = track;
  if (chunk !== undefined) inner.chunk = chunk;
  if (timestamp !== undefined) inner.timestamp = timestamp;
  inner.payload = payload;
  const frame = {} as TwilioMediaMessage;
  frame.event = 'media';
  if (sequenceNumber !== undefined) frame.sequenceNumber = sequenceNumber;
  frame.streamSid = streamSid;
  frame.media = inner;
  return frame;
}

// The layout Twilio sends every media frame in (docs/protocols.md §1), key for key, no whitespace.
const HEAD = '{"event":"media","sequenceNumber":"';
const BEFORE_TRACK = '","media":{"track":"';
const BEFORE_CHUNK = '","chunk":"';
const BEFORE_TIMESTAMP = '","timestamp":"';
const BEFORE_PAYLOAD = '","payload":"';
const BEFORE_STREAM_SID = '"},"streamSid":"';
const TAIL = '"}';

/** Where a run of digits starting at `from` ends. */
function digitsEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && isDigit(text.charCodeAt(i))) i++;
  return i;
}

/**
 * Where a JSON string's body starting at `from` ends (at its closing quote),
 * or -1 if it has an escape or a control character: read as written, such a
 * body is the string JSON.parse would make of it.
 */
function plainStringEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) return i;
    if (code === BACKSLASH || code < FIRST_PLAIN_CHAR) return -1;
  }
  return -1;
}

/**
 * A frame still as text, read without JSON.parse when it is in Twilio's exact
 * layout with every value present. Each literal between values is matched
 * whole, so the keys are these and no others, each once, and the text is valid
 * JSON that parses to the object returned.
 */
export function readMediaFrameText(text: string): TwilioMediaMessage | undefined {
  if (!text.startsWith(HEAD)) return undefined;
  const sequenceStart = HEAD.length;
  const sequenceEnd = digitsEnd(text, sequenceStart);
  if (sequenceEnd === sequenceStart || !text.startsWith(BEFORE_TRACK, sequenceEnd)) return undefined;
  const trackStart = sequenceEnd + BEFORE_TRACK.length;
  const trackEnd = plainStringEnd(text, trackStart);
  if (trackEnd < 0 || !text.startsWith(BEFORE_CHUNK, trackEnd)) return undefined;
  const chunkStart = trackEnd + BEFORE_CHUNK.length;
  const chunkEnd = digitsEnd(text, chunkStart);
  if (chunkEnd === chunkStart || !text.startsWith(BEFORE_TIMESTAMP, chunkEnd)) return undefined;
  const timestampStart = chunkEnd + BEFORE_TIMESTAMP.length;
  const timestampEnd = digitsEnd(text, timestampStart);
  if (timestampEnd === timestampStart || !text.startsWith(BEFORE_PAYLOAD, timestampEnd)) return undefined;
  const payloadStart = timestampEnd + BEFORE_PAYLOAD.length;
  const payloadEnd = base64End(text, payloadStart);
  if (!text.startsWith(BEFORE_STREAM_SID, payloadEnd)) return undefined;
  const streamSidStart = payloadEnd + BEFORE_STREAM_SID.length;
  const streamSidEnd = plainStringEnd(text, streamSidStart);
  if (streamSidEnd <= streamSidStart || streamSidEnd + TAIL.length !== text.length || !text.endsWith(TAIL))
    return undefined;
  return {
    event: 'media',
    sequenceNumber: text.slice(sequenceStart, sequenceEnd),
    streamSid: text.slice(streamSidStart, streamSidEnd),
    media: {
      track: text.slice(trackStart, trackEnd),
      chunk: text.slice(chunkStart, chunkEnd),
      timestamp: text.slice(timestampStart, timestampEnd),
      payload: text.slice(payloadStart, payloadEnd),
    },
  };
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonJunk, mostly as mostlyOf } from '../support/fast-check-json.ts';
import {
  checkMediaFrame,
  isBase64Text,
  isNumericText,
  readMediaFrameText,
} from '../../src/protocols/media-frame-fast-path.ts';
import {
  BASE64_TEXT,
  NUMERIC_TEXT,
  outboundClear,
  outboundMark,
  outboundMedia,
  parseTwilioFrame,
  parseTwilioFrameFully,
  twilioOutboundText,
} from '../../src/protocols/media-stream-messages.ts';

// Enough cases that every mutant kind comes up many times, few enough to stay well under a second or two.
const RUNS = 4000;

/** Strings that trip JSON and the readers: quotes, escapes, control characters, a lone surrogate, digits. */
const awkwardChar = fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\ud800', ' ', '=', '/', '+', '1', 'é');
const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.oneof(awkwardChar, fc.constantFrom('a', 'Z', '0', '9')) }),
);
const oneChar = fc.oneof(
  awkwardChar,
  fc.string({ minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }),
);
/** A valid value with one character put in, taken out or swapped for another. */
const mutated = (arb: fc.Arbitrary<string>) =>
  fc.tuple(arb, fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), oneChar).map(([text, at, how, char]) => {
    const i = at % (text.length + 1);
    if (how === 'insert') return text.slice(0, i) + char + text.slice(i);
    if (how === 'delete') return text.slice(0, i) + text.slice(i + 1);
    return text.slice(0, i) + char + text.slice(i + 1);
  });
const digits = fc.stringMatching(/^\d{1,6}$/);
const base64 = fc.oneof(fc.base64String(), fc.stringMatching(/^[A-Za-z0-9+/]{0,12}={0,2}$/));
const junk = jsonJunk;
const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown>) => mostlyOf(good, bad, 4);
const numericField = mostly(
  digits,
  fc.oneof(anyText, junk, mutated(digits), fc.constantFrom('', '-1', '1.5', '١٢', ' 1', '1\n')),
);
const payloadField = mostly(
  base64,
  fc.oneof(anyText, junk, mutated(base64), fc.constantFrom('AAA===', '=A', 'AA AA', 'AA\n')),
);
const sidField = mostly(fc.string({ minLength: 1 }), fc.oneof(fc.constant(''), junk));
const trackField = mostly(fc.constantFrom('inbound', 'outbound', ''), fc.oneof(anyText, junk));
const eventField = mostly(fc.constant('media'), fc.constantFrom('mark', 'start', 'Media', 'media ', 'stop', 'dtmf'));

/** A value as JSON text, so a generated frame can hold what an object could not: a key written twice, say. */
const asJson = (arb: fc.Arbitrary<unknown>): fc.Arbitrary<string> => arb.map((v) => JSON.stringify(v));
type Entry = readonly [key: string, json: string];

/** Optional entries drop out at random; extra keys (some of them the schema's own names, repeated) join them. */
const entries = (required: Record<string, fc.Arbitrary<string>>, optional: Record<string, fc.Arbitrary<string>>) =>
  fc
    .tuple(
      fc.tuple(...Object.entries(required).map(([key, json]) => json.map((v): Entry => [key, v]))),
      fc.tuple(...Object.entries(optional).map(([key, json]) => fc.option(json.map((v): Entry => [key, v])))),
      fc.oneof(
        { arbitrary: fc.constant([]), weight: 3 },
        fc.array(
          fc.tuple(
            fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'toString', 'payload', 'streamSid')),
            asJson(junk),
          ),
          { maxLength: 3 },
        ),
      ),
      fc.boolean(),
    )
    .map(([req, opt, extra, reverse]) => {
      const all: Entry[] = [...req, ...opt.filter((e) => e !== null), ...extra];
      return reverse ? all.reverse() : all;
    });

/** JSON text written entry by entry (JSON.parse keeps the last of a repeated key), spaced or not. */
const objectText = ([list, spaced]: readonly [readonly Entry[], boolean]): string => {
  const sep = spaced ? ' ' : '';
  return `{${list.map(([k, v]) => `${JSON.stringify(k)}:${sep}${v}`).join(`,${sep}`)}}`;
};

const mediaObjectText = fc
  .tuple(
    entries(
      { payload: asJson(payloadField) },
      { track: asJson(trackField), chunk: asJson(numericField), timestamp: asJson(numericField) },
    ),
    fc.boolean(),
  )
  .map(objectText);

/** Whole frames built field by field: mostly valid media frames, with every kind of mutant mixed in. */
const fieldFrame = fc
  .tuple(
    entries(
      {
        event: asJson(eventField),
        streamSid: asJson(sidField),
        media: fc.oneof({ arbitrary: mediaObjectText, weight: 5 }, asJson(junk)),
      },
      { sequenceNumber: asJson(numericField) },
    ),
    fc.boolean(),
  )
  .map(objectText);

/** Twilio's exact layout (what the no-parse reader looks for), its values from the given generators. */
const layout = (f: {
  sequenceNumber: unknown;
  track: unknown;
  chunk: unknown;
  timestamp: unknown;
  payload: unknown;
  streamSid: unknown;
}) =>
  `{"event":"media","sequenceNumber":${JSON.stringify(f.sequenceNumber)},"media":{"track":${JSON.stringify(f.track)},` +
  `"chunk":${JSON.stringify(f.chunk)},"timestamp":${JSON.stringify(f.timestamp)},"payload":${JSON.stringify(f.payload)}},` +
  `"streamSid":${JSON.stringify(f.streamSid)}}`;
const validTwilioLayout = fc
  .record({
    sequenceNumber: digits,
    track: fc.oneof(fc.constantFrom('inbound', ''), fc.string()),
    chunk: digits,
    timestamp: digits,
    payload: base64,
    streamSid: fc.string({ minLength: 1 }),
  })
  .map(layout);
const twilioLayout = fc.oneof(
  validTwilioLayout,
  fc
    .record({
      sequenceNumber: numericField,
      track: trackField,
      chunk: numericField,
      timestamp: numericField,
      payload: payloadField,
      streamSid: sidField,
    })
    .map(layout),
);

/** The same layout with one character inserted, deleted or replaced: the edges of every literal the reader matches. */
const nearlyTwilioLayout = mutated(validTwilioLayout);

const anyFrameText = fc.oneof(
  { arbitrary: twilioLayout, weight: 4 },
  { arbitrary: nearlyTwilioLayout, weight: 4 },
  { arbitrary: fieldFrame, weight: 6 },
  { arbitrary: fc.json(), weight: 1 },
  { arbitrary: fc.jsonValue().map((v) => JSON.stringify({ event: 'media', ...asObject(v) })), weight: 1 },
  { arbitrary: anyText, weight: 1 },
);

function asObject(v: unknown): object {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : { media: v };
}

describe('Twilio media frame fast path', () => {
  it('when any frame text arrives, then the fast path gives the verdict and the data the zod union gives', () => {
    let exactReads = 0;
    let checkedReads = 0;
    fc.assert(
      fc.property(anyFrameText, (text) => {
        const full = parseTwilioFrameFully(text);
        const fast = parseTwilioFrame(text);
        expect(fast).toStrictEqual(full);
        // Key order too: a caller that logs or re-serialises the message sees the same text.
        expect(JSON.stringify(fast)).toBe(JSON.stringify(full));

        const exact = readMediaFrameText(text);
        if (exact !== undefined) {
          exactReads++;
          expect({ kind: 'message', message: exact }).toStrictEqual(full);
        }
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          return;
        }
        const checked = checkMediaFrame(json);
        if (checked !== undefined) {
          checkedReads++;
          expect(JSON.stringify({ kind: 'message', message: checked })).toBe(JSON.stringify(full));
        }
      }),
      { numRuns: RUNS },
    );
    // The fast paths must actually be taken, or the comparison above proves nothing about them.
    expect(exactReads).toBeGreaterThan(RUNS / 10);
    expect(checkedReads).toBeGreaterThan(RUNS / 5);
  });

  it('when any one UTF-16 code unit sits in a payload or a number, then the hand checks agree with the schema', () => {
    const disagreements: string[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      const c = String.fromCharCode(code);
      for (const text of [c, `QQ${c}`, `QQ${c}=`, `QQ=${c}`, `${c}==`, `QQ==${c}`])
        if (isBase64Text(text) !== BASE64_TEXT.test(text)) disagreements.push(`base64 ${JSON.stringify(text)}`);
      for (const text of [c, `1${c}`, `${c}1`])
        if (isNumericText(text) !== NUMERIC_TEXT.test(text)) disagreements.push(`numeric ${JSON.stringify(text)}`);
    }
    // And through the whole frame, both readers, for every ASCII character (the rest cannot be base64 or a digit).
    for (let code = 0; code < 0x80; code++) {
      const c = String.fromCharCode(code);
      const frame = (payload: string, chunk: string) =>
        layout({ sequenceNumber: '1', track: 'inbound', chunk, timestamp: '0', payload, streamSid: 'MZ1' });
      for (const text of [frame(c, '1'), frame(`QQ${c}=`, '1'), frame('QQ==', `1${c}`)])
        if (JSON.stringify(parseTwilioFrame(text)) !== JSON.stringify(parseTwilioFrameFully(text)))
          disagreements.push(text);
    }
    expect(disagreements).toEqual([]);
  });

  it("when Twilio's own media frame arrives, then it is read without JSON.parse and as the schema reads it", () => {
    const text =
      '{"event":"media","sequenceNumber":"42","media":{"track":"inbound","chunk":"40","timestamp":"780",' +
      '"payload":"//79/Pv6+fj39vX08/Lx8A=="},"streamSid":"MZ00000000000000000000000000000001"}';
    expect(readMediaFrameText(text)).toStrictEqual({
      event: 'media',
      sequenceNumber: '42',
      streamSid: 'MZ00000000000000000000000000000001',
      media: { track: 'inbound', chunk: '40', timestamp: '780', payload: '//79/Pv6+fj39vX08/Lx8A==' },
    });
    expect(readMediaFrameText(text.replace('A==', 'A==='))).toBeUndefined();
    expect(parseTwilioFrame(text.replace('A==', 'A==='))).toEqual({
      kind: 'malformed',
      reason: 'media: payload is not base64',
    });
  });

  it('when extra keys come with a media frame, then both paths strip them', () => {
    const text = JSON.stringify({ event: 'media', streamSid: 'MZ1', extra: 1, media: { payload: 'AAAA', more: [1] } });
    expect(checkMediaFrame(JSON.parse(text))).toStrictEqual({
      event: 'media',
      streamSid: 'MZ1',
      media: { payload: 'AAAA' },
    });
    expect(parseTwilioFrame(text)).toStrictEqual(parseTwilioFrameFully(text));
  });
});

describe('Twilio outbound text', () => {
  const sid = fc.oneof(fc.string({ minLength: 1 }), fc.string({ unit: fc.oneof(awkwardChar, fc.constant('M')) }));
  const payload = fc.oneof({ arbitrary: base64, weight: 4 }, anyText);

  it('when media, marks and clear are sent, then the assembled text is exactly the JSON of the message objects', () => {
    fc.assert(
      fc.property(sid, payload, anyText, (streamSid, audio, name) => {
        const outbound = twilioOutboundText(streamSid);
        const media = outbound.media(audio);
        expect(media).toBe(JSON.stringify(outboundMedia(streamSid, audio)));
        expect(JSON.parse(media)).toStrictEqual(outboundMedia(streamSid, audio));
        expect(outbound.mark(name)).toBe(JSON.stringify(outboundMark(streamSid, name)));
        expect(JSON.parse(outbound.mark(name))).toStrictEqual(outboundMark(streamSid, name));
        expect(JSON.parse(outbound.clear())).toStrictEqual(outboundClear(streamSid));
      }),
      { numRuns: RUNS },
    );
  });
});

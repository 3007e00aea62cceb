import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { childElements, parseXml, readTwiml, TwimlError, type XmlElement } from '../../src/sim/twiml-reader.ts';

/**
 * twiml/fallback.xml is played when the service cannot be reached, so it
 * may depend on nothing but Twilio. Read with the call simulator's own
 * TwiML reader (strict: no DOCTYPE, no unknown entities, one root), so no
 * XML dependency is added.
 */

const FALLBACK_FILE = fileURLToPath(new URL('../../twiml/fallback.xml', import.meta.url));
const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** The web form's address; deployments replace it in the file and here (see twiml/README.md). */
const WEB_FORM = new URL('https://permits.example.org/apply');
// Spoken without the scheme: text-to-speech spells "https colon slash slash" out letter by letter.
const SPOKEN_ADDRESS = `${WEB_FORM.host}${WEB_FORM.pathname}`;

// Words of speech, split on whitespace (the address counts as one): about fifteen seconds of a caller's patience.
const MAX_SPOKEN_WORDS = 40;
// A Pause is a breath before the address is repeated, not a wait on a dead line.
const MAX_PAUSE_SECONDS = 5;

/**
 * The only verbs, and their only attributes. Say speaks and Pause waits
 * without fetching anything; Hangup ends the call on purpose rather than
 * when the document runs out. Everything else either asks a URL for more
 * (Gather, Redirect, Record, Pay, and the Connect action: our service, which
 * is down when this plays), fetches media from another host that may be down
 * too (Play), or routes the call somewhere nobody staffs (Dial, Enqueue,
 * Connect). Say's `loop` is left out: loop="0" repeats forever.
 */
const ALLOWED_VERBS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['Say', new Set(['voice', 'language'])],
  ['Pause', new Set(['length'])],
  ['Hangup', new Set<string>()],
]);

/** Verbs that make Twilio request a URL or leave the call to someone else; named so a failure says which one. */
const DEPENDENT_VERBS = [
  'Gather',
  'Redirect',
  'Connect',
  'Stream',
  'Play',
  'Dial',
  'Enqueue',
  'Record',
  'Pay',
  'Refer',
  'Sms',
  'Message',
];

function allElements(element: XmlElement): XmlElement[] {
  return childElements(element).flatMap((child) => [child, ...allElements(child)]);
}

/** Each check returns what is wrong with the document, or nothing. */
const checks = {
  wellFormed(xml: string): string[] {
    if (!xml.startsWith(DECLARATION)) return [`does not start with ${DECLARATION}`];
    try {
      const root = parseXml(xml);
      if (root.name !== 'Response') return [`the root is <${root.name}>, not <Response>`];
      if (root.attributes.size > 0) return ['<Response> has attributes'];
      return [];
    } catch (error) {
      if (error instanceof TwimlError) return [`not well-formed: ${error.message}`];
      throw error;
    }
  },

  onlyAllowedVerbs(xml: string): string[] {
    const root = parseXml(xml);
    const problems: string[] = [];
    for (const child of root.children) {
      if (typeof child === 'string') {
        if (child.trim() !== '') problems.push(`text outside any verb: "${child.trim()}"`);
        continue;
      }
      const attributes = ALLOWED_VERBS.get(child.name);
      if (attributes === undefined) {
        problems.push(`<${child.name}> is not one of ${[...ALLOWED_VERBS.keys()].join(', ')}`);
        continue;
      }
      for (const name of child.attributes.keys())
        if (!attributes.has(name)) problems.push(`<${child.name}> has attribute ${name}`);
      const nested = childElements(child);
      if (nested.length > 0) problems.push(`<${child.name}> holds <${nested.map((n) => n.name).join('>, <')}>`);
      if (child.name !== 'Say' && child.children.some((c) => typeof c === 'string' && c.trim() !== ''))
        problems.push(`<${child.name}> holds text`);
      const length = child.attributes.get('length');
      if (length !== undefined && !(/^\d+$/.test(length) && Number(length) >= 1 && Number(length) <= MAX_PAUSE_SECONDS))
        problems.push(`<Pause length="${length}"> is not 1 to ${MAX_PAUSE_SECONDS} seconds`);
    }
    return problems;
  },

  dependsOnNothing(xml: string): string[] {
    const problems = allElements(parseXml(xml))
      .filter((element) => DEPENDENT_VERBS.includes(element.name))
      .map((element) => `<${element.name}> depends on something that may be down`);
    // Twilio would fetch a URL with a scheme; a caller is told an address without one.
    for (const url of xml.match(/\b(?:https?|wss?):\/\/\S*/g) ?? []) problems.push(`refers to ${url}`);
    if (xml.includes('/twilio/')) problems.push("refers to the service's webhooks");
    return problems;
  },

  spokenBriefly(xml: string): string[] {
    const spoken = readTwiml(xml).say ?? '';
    const words = spoken.split(/\s+/).filter((word) => word !== '');
    const problems: string[] = [];
    if (!spoken.includes(SPOKEN_ADDRESS)) problems.push(`does not say ${SPOKEN_ADDRESS}`);
    if (words.length >= MAX_SPOKEN_WORDS) problems.push(`says ${words.length} words, not under ${MAX_SPOKEN_WORDS}`);
    return problems;
  },

  endsWithHangup(xml: string): string[] {
    const { verbs } = readTwiml(xml);
    if (verbs.at(-1) !== 'Hangup') return [`the last verb is <${verbs.at(-1) ?? 'nothing'}>, not <Hangup>`];
    if (verbs.indexOf('Hangup') !== verbs.length - 1) return ['<Hangup> comes more than once'];
    return [];
  },
} as const;

const fallback = readFileSync(FALLBACK_FILE, 'utf8');

describe('the static fallback TwiML', () => {
  it('when the file is read, then it is well-formed TwiML: the UTF-8 declaration and one <Response> root', () => {
    expect(checks.wellFormed(fallback)).toEqual([]);
    expect(fallback).not.toContain('\uFFFD');
  });

  it('when its verbs are listed, then they are only Say, Pause and Hangup, each with only its allowed attributes', () => {
    expect(checks.onlyAllowedVerbs(fallback)).toEqual([]);
  });

  it('when it is played, then nothing in it needs the service or any other host: no Gather, Connect, Redirect, Play or URL', () => {
    expect(checks.dependsOnNothing(fallback)).toEqual([]);
  });

  it(`when it is spoken, then the caller hears the web address in under ${MAX_SPOKEN_WORDS} words`, () => {
    expect(checks.spokenBriefly(fallback)).toEqual([]);
  });

  it('when it has been played, then the call is hung up, and nothing comes after', () => {
    expect(checks.endsWithHangup(fallback)).toEqual([]);
    expect(readTwiml(fallback).connect).toBeUndefined();
  });
});

describe('the fallback checks themselves', () => {
  // A document of the same shape as the file, so these cases keep working when the file is reworded.
  const good = `${DECLARATION}
<Response>
  <Say>We are sorry, the line is down. Apply online at ${SPOKEN_ADDRESS}.</Say>
  <Pause length="1"/>
  <Say>Goodbye.</Say>
  <Hangup/>
</Response>
`;
  const longer = `<Say>${'Please listen carefully, because our menu options have changed recently. '.repeat(4)}</Say><Hangup/>`;

  it('when the document is like the file, then every check accepts it', () => {
    expect(Object.values(checks).flatMap((check) => check(good))).toEqual([]);
  });

  it.each<[string, (xml: string) => string, keyof typeof checks]>([
    ['no XML declaration', (xml) => xml.replace(DECLARATION, ''), 'wellFormed'],
    ['an unclosed root', (xml) => xml.replace('</Response>', ''), 'wellFormed'],
    ['a second root', (xml) => `${xml}<Response/>`, 'wellFormed'],
    ['a root other than Response', (xml) => xml.replaceAll('Response>', 'Answer>'), 'wellFormed'],
    [
      'a Play',
      (xml) => xml.replace('<Hangup/>', '<Play>https://cdn.example.org/sorry.mp3</Play><Hangup/>'),
      'onlyAllowedVerbs',
    ],
    ['a Say that loops forever', (xml) => xml.replace('<Say>', '<Say loop="0">'), 'onlyAllowedVerbs'],
    ['a long Pause', (xml) => xml.replace('length="1"', 'length="30"'), 'onlyAllowedVerbs'],
    [
      'SSML inside Say',
      (xml) => xml.replace('Goodbye.', '<prosody rate="slow">Goodbye.</prosody>'),
      'onlyAllowedVerbs',
    ],
    ['text outside any verb', (xml) => xml.replace('<Hangup/>', 'Goodbye<Hangup/>'), 'onlyAllowedVerbs'],
    [
      'a Gather posting to the service',
      (xml) => xml.replace('<Hangup/>', '<Gather input="dtmf" action="/twilio/voice/ivr"/><Hangup/>'),
      'dependsOnNothing',
    ],
    [
      'a Redirect to the service',
      (xml) => xml.replace('<Hangup/>', '<Redirect>https://permits.example.org/twilio/voice</Redirect><Hangup/>'),
      'dependsOnNothing',
    ],
    [
      'a Connect to the media stream',
      (xml) =>
        xml.replace('<Hangup/>', '<Connect><Stream url="wss://permits.example.org/twilio/media"/></Connect><Hangup/>'),
      'dependsOnNothing',
    ],
    ['another address', (xml) => xml.replaceAll(SPOKEN_ADDRESS, 'health.example.org/forms'), 'spokenBriefly'],
    ['a long speech', (xml) => xml.replace('<Hangup/>', longer), 'spokenBriefly'],
    ['no Hangup', (xml) => xml.replace('<Hangup/>', ''), 'endsWithHangup'],
    ['a verb after the Hangup', (xml) => xml.replace('<Hangup/>', '<Hangup/><Pause length="1"/>'), 'endsWithHangup'],
  ])('when the document had %s, then the check refuses it', (_what, mutate, check) => {
    const mutated = mutate(good);
    expect(mutated, 'the case no longer changes the document').not.toBe(good);
    expect(checks[check](mutated)).not.toEqual([]);
  });
});

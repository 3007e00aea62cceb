/**
 * Reads the TwiML a voice webhook answers, the way the call simulator needs
 * it: the spoken <Say> text, and the <Connect action><Stream url> with its
 * <Parameter>s. Pure.
 *
 * A small XML reader instead of a dependency: TwiML is elements, attributes
 * and text, nothing more. It refuses what TwiML never contains (DOCTYPE, and
 * so entity definitions), and unknown entities, rather than guessing.
 */

export interface XmlElement {
  readonly name: string;
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlNode[];
}
export type XmlNode = XmlElement | string;

// On Error, not the service's AppError: src/sim/ is a separate program that imports only src/protocols/.
export class TwimlError extends Error {
  override readonly name = 'TwimlError';
}

const NAME = /[A-Za-z_][\w.:-]*/y;
const ATTRIBUTE = /\s+([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;
const TAG_END = /\s*(\/?)>/y;
const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&([^;\s&]{0,10});?/g, (whole, body: string) => {
    if (!whole.endsWith(';')) throw new TwimlError(`bare "&" in text near "${whole}"`);
    const numeric = /^#(x[0-9a-fA-F]{1,6}|\d{1,7})$/.exec(body);
    if (numeric?.[1] !== undefined) {
      const code = numeric[1].startsWith('x') ? Number.parseInt(numeric[1].slice(1), 16) : Number(numeric[1]);
      if (code > 0x10ffff) throw new TwimlError(`character reference ${whole} is out of range`);
      return String.fromCodePoint(code);
    }
    const named = Object.hasOwn(ENTITIES, body) ? ENTITIES[body] : undefined;
    if (named === undefined) throw new TwimlError(`unknown entity ${whole}`);
    return named;
  });
}

/** Parses one XML document into its root element. Throws TwimlError on anything malformed. */
export function parseXml(xml: string): XmlElement {
  let at = 0;

  const fail = (what: string): never => {
    throw new TwimlError(`${what} at offset ${at}`);
  };
  const match = (pattern: RegExp): RegExpExecArray | null => {
    pattern.lastIndex = at;
    const found = pattern.exec(xml);
    if (found) at = pattern.lastIndex;
    return found;
  };
  const skipUntil = (terminator: string, what: string): string => {
    const end = xml.indexOf(terminator, at);
    if (end < 0) fail(`unterminated ${what}`);
    const skipped = xml.slice(at, end);
    at = end + terminator.length;
    return skipped;
  };
  /** Comments, processing instructions (the XML declaration) and whitespace between elements. */
  const skipMisc = (): void => {
    for (;;) {
      while (at < xml.length && /\s/.test(xml.charAt(at))) at += 1;
      if (xml.startsWith('<?', at)) skipUntil('?>', 'processing instruction');
      else if (xml.startsWith('<!--', at)) skipUntil('-->', 'comment');
      else return;
    }
  };

  const element = (): XmlElement => {
    if (xml.startsWith('<!DOCTYPE', at)) fail('DOCTYPE is not allowed in TwiML');
    if (xml.charAt(at) !== '<') fail('expected an element');
    at += 1;
    const name = match(NAME)?.[0] ?? fail('expected an element name');
    const attributes = new Map<string, string>();
    for (let attribute = match(ATTRIBUTE); attribute; attribute = match(ATTRIBUTE)) {
      const [, attributeName = '', doubleQuoted, singleQuoted] = attribute;
      if (attributes.has(attributeName)) fail(`duplicate attribute ${attributeName}`);
      attributes.set(attributeName, decodeEntities(doubleQuoted ?? singleQuoted ?? ''));
    }
    const end = match(TAG_END) ?? fail(`malformed tag <${name}>`);
    const children: XmlNode[] = [];
    if (end[1] === '/') return { name, attributes, children };

    for (;;) {
      const nextTag = xml.indexOf('<', at);
      if (nextTag < 0) fail(`<${name}> is not closed`);
      if (nextTag > at) children.push(decodeEntities(xml.slice(at, nextTag)));
      at = nextTag;
      if (xml.startsWith('</', at)) {
        at += 2;
        const closing = match(NAME)?.[0];
        if (closing !== name) fail(`</${closing ?? ''}> does not close <${name}>`);
        match(/\s*/y);
        if (xml.charAt(at) !== '>') fail(`malformed closing tag </${name}>`);
        at += 1;
        return { name, attributes, children };
      }
      if (xml.startsWith('<!--', at)) skipUntil('-->', 'comment');
      else if (xml.startsWith('<![CDATA[', at)) {
        at += '<![CDATA['.length;
        children.push(skipUntil(']]>', 'CDATA section'));
      } else if (xml.startsWith('<?', at)) skipUntil('?>', 'processing instruction');
      else children.push(element());
    }
  };

  skipMisc();
  const root = element();
  skipMisc();
  if (at < xml.length) fail('content after the root element');
  return root;
}

export function childElements(element: XmlElement, name?: string): XmlElement[] {
  return element.children.filter(
    (child): child is XmlElement => typeof child !== 'string' && (name === undefined || child.name === name),
  );
}

export function textOf(element: XmlElement): string {
  return element.children.map((child) => (typeof child === 'string' ? child : textOf(child))).join('');
}

export interface TwimlStream {
  readonly url: string;
  readonly statusCallback: string | undefined;
  /** From the <Parameter name value/> children; Twilio passes them in `start.customParameters`. */
  readonly parameters: Readonly<Record<string, string>>;
}

export interface TwimlAnswer {
  /** The verbs directly under <Response>, in order (e.g. ['Say', 'Connect']). */
  readonly verbs: readonly string[];
  /** Every <Say> text in document order (including prompts inside <Gather>), joined by a space; undefined if none. */
  readonly say: string | undefined;
  /** The first <Connect> that holds a <Stream>; undefined if the answer does not connect a media stream. */
  readonly connect: { readonly action: string | undefined; readonly stream: TwimlStream } | undefined;
  /** The URL of the first <Redirect> directly under <Response> (e.g. to the keypad IVR); undefined if none. */
  readonly redirect: string | undefined;
}

function allElements(element: XmlElement): XmlElement[] {
  return childElements(element).flatMap((child) => [child, ...allElements(child)]);
}

/** Reads a voice webhook's TwiML answer. Throws TwimlError if it is not a TwiML <Response>. */
export function readTwiml(xml: string): TwimlAnswer {
  const root = parseXml(xml);
  if (root.name !== 'Response') throw new TwimlError(`the root element is <${root.name}>, not <Response>`);
  const verbs = childElements(root);

  const says = allElements(root)
    .filter((element) => element.name === 'Say')
    .map((element) => textOf(element).trim().replace(/\s+/g, ' '))
    .filter((text) => text !== '');

  let connect: TwimlAnswer['connect'];
  for (const verb of verbs) {
    if (verb.name !== 'Connect') continue;
    const stream = childElements(verb, 'Stream')[0];
    if (stream === undefined) continue;
    const url = stream.attributes.get('url');
    if (url === undefined || url === '') throw new TwimlError('<Stream> has no url');
    const parameters: Record<string, string> = {};
    for (const parameter of childElements(stream, 'Parameter')) {
      const name = parameter.attributes.get('name');
      if (name === undefined) throw new TwimlError('<Parameter> has no name');
      // defineProperty, not assignment: a parameter named "__proto__" must stay a plain value.
      Object.defineProperty(parameters, name, {
        value: parameter.attributes.get('value') ?? '',
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    connect = {
      action: verb.attributes.get('action'),
      stream: { url, statusCallback: stream.attributes.get('statusCallback'), parameters },
    };
    break;
  }

  const redirect = verbs.find((verb) => verb.name === 'Redirect');
  return {
    verbs: verbs.map((verb) => verb.name),
    say: says.length > 0 ? says.join(' ') : undefined,
    connect,
    redirect: redirect === undefined ? undefined : textOf(redirect).trim() || undefined,
  };
}

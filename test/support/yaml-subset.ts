/**
 * Reads the block YAML our Prometheus rule and test files are written in
 * (infrastructure/monitoring/prometheus/), so the dashboard-consistency test
 * can read them without adding a YAML dependency: mappings, sequences, plain
 * and quoted scalars, `>`/`|` block scalars, `[a, b]` and `{}` flow values,
 * comments. Every scalar is a string. Anything else (anchors, tags, nested
 * flow collections, tabs) is an error naming the line, never a silent guess.
 */

export type YamlValue = string | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  readonly number: number;
  readonly indent: number;
  readonly text: string;
}

// The input is our own rule files, a few kilobytes: backtracking cannot hurt here.
// eslint-disable-next-line security/detect-unsafe-regex
const BLOCK_HEADER = /^[>|][-+]?(?:\s+#.*)?$/;

export class YamlSubsetError extends Error {}

const KEY = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{[\]}&*!|>%@`-][^:#]*?|-[^\s:#][^:#]*?)\s*:(?:\s+|$)/;

export function readYamlSubset(source: string): YamlValue {
  const raw = source.split('\n');
  const lines: Line[] = [];
  raw.forEach((text, index) => {
    if (/^\s*\t/.test(text)) throw new YamlSubsetError(`line ${index + 1}: tab indentation`);
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed === '---') return;
    lines.push({ number: index + 1, indent: text.length - text.trimStart().length, text: text.trim() });
  });
  const reader = new Reader(lines, raw);
  if (lines.length === 0) return {};
  const value = reader.node(lines[0]!.indent);
  if (reader.position < lines.length) reader.fail('unexpected text after the document');
  return value;
}

class Reader {
  position = 0;
  readonly lines: Line[];
  readonly raw: readonly string[];

  constructor(lines: Line[], raw: readonly string[]) {
    this.lines = lines;
    this.raw = raw;
  }

  fail(why: string, line = this.lines[this.position]): never {
    throw new YamlSubsetError(`line ${line?.number ?? 'end'}: ${why}`);
  }

  node(indent: number): YamlValue {
    const line = this.lines[this.position] ?? this.fail('expected a value');
    if (line.indent !== indent) this.fail('unexpected indentation');
    return isSequenceItem(line.text) ? this.sequence(indent) : this.mapping(indent);
  }

  sequence(indent: number): YamlValue[] {
    const items: YamlValue[] = [];
    for (let line = this.lines[this.position]; line?.indent === indent && isSequenceItem(line.text);) {
      const content = line.text.slice(1).trimStart();
      if (content === '') {
        this.position += 1;
        const next = this.lines[this.position];
        items.push(next !== undefined && next.indent > indent ? this.node(next.indent) : '');
      } else if (KEY.test(content)) {
        // "- key: value" starts a mapping whose keys line up with "key".
        const column = indent + (line.text.length - content.length);
        this.lines[this.position] = { number: line.number, indent: column, text: content };
        items.push(this.mapping(column));
      } else {
        this.position += 1;
        items.push(scalar(content, () => this.fail('unreadable value', line)));
      }
      line = this.lines[this.position];
    }
    return items;
  }

  mapping(indent: number): { [key: string]: YamlValue } {
    const map: { [key: string]: YamlValue } = {};
    for (let line = this.lines[this.position]; line?.indent === indent && !isSequenceItem(line.text);) {
      const match = KEY.exec(line.text) ?? this.fail('expected "key: value"');
      const key = unquote(match[1]!);
      if (Object.hasOwn(map, key)) this.fail(`duplicate key ${key}`);
      const rest = line.text.slice(match[0].length);
      this.position += 1;
      const next = this.lines[this.position];
      if (rest === '' || rest.startsWith('#')) {
        if (next !== undefined && next.indent > indent) map[key] = this.node(next.indent);
        else if (next !== undefined && next.indent === indent && isSequenceItem(next.text))
          map[key] = this.sequence(indent);
        else map[key] = '';
      } else if (BLOCK_HEADER.test(rest)) {
        map[key] = this.blockScalar(rest, indent, line);
      } else {
        map[key] = scalar(rest, () => this.fail('unreadable value', line));
      }
      line = this.lines[this.position];
    }
    return map;
  }

  /** The lines indented deeper than the key, read from the raw text so blank lines between paragraphs count. */
  blockScalar(header: string, indent: number, keyLine: Line): string {
    const folded = header.startsWith('>');
    const chomp = header[1] === '-' ? 'strip' : header[1] === '+' ? 'keep' : 'clip';
    const body: string[] = [];
    let rawIndex = keyLine.number;
    let blockIndent: number | undefined;
    while (rawIndex < this.raw.length) {
      const text = this.raw[rawIndex]!;
      const lineIndent = text.length - text.trimStart().length;
      if (text.trim() !== '') {
        if (lineIndent <= indent) break;
        blockIndent ??= lineIndent;
        if (lineIndent < blockIndent) this.fail('block scalar less indented than its first line', keyLine);
        if (folded && lineIndent > blockIndent) this.fail('a more indented line in a folded scalar', keyLine);
        body.push(text.slice(blockIndent));
      } else {
        body.push('');
      }
      rawIndex += 1;
    }
    while (body.length > 0 && body.at(-1) === '') body.pop();
    while (this.position < this.lines.length && this.lines[this.position]!.number <= rawIndex) this.position += 1;
    let text = folded
      ? body.reduce((out, line, index) => {
          if (index === 0) return line;
          if (line === '') return `${out}\n`;
          return out.endsWith('\n') ? `${out}${line}` : `${out} ${line}`;
        }, '')
      : body.join('\n');
    if (chomp !== 'strip') text += '\n';
    return text;
  }
}

function nothingButComment(text: string): boolean {
  const rest = text.trim();
  return rest === '' || rest.startsWith('#');
}

function isSequenceItem(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

function unquote(text: string): string {
  if (text.startsWith('"')) return JSON.parse(text) as string;
  if (text.startsWith("'")) return text.slice(1, -1).replaceAll("''", "'");
  return text;
}

function scalar(text: string, fail: () => never): YamlValue {
  if (text.startsWith('"')) {
    const match = /^"(?:[^"\\]|\\.)*"/.exec(text) ?? fail();
    if (!nothingButComment(text.slice(match[0].length))) fail();
    return unquote(match[0]);
  }
  if (text.startsWith("'")) {
    const match = /^'(?:[^']|'')*'/.exec(text) ?? fail();
    if (!nothingButComment(text.slice(match[0].length))) fail();
    return unquote(match[0]);
  }
  const plain = text.replace(/\s+#.*$/, '').trim();
  if (plain === '{}') return {};
  if (plain.startsWith('[')) {
    if (!plain.endsWith(']') || /[[\]{}]/.test(plain.slice(1, -1))) fail();
    const inside = plain.slice(1, -1).trim();
    return inside === '' ? [] : inside.split(',').map((item) => scalar(item.trim(), fail));
  }
  if (/^[{&*!|>%@`]/.test(plain)) fail();
  return plain;
}

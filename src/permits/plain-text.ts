import { catalogueFor, fill } from './catalogue.ts';
import { DEFAULT_LANGUAGE, type Language } from './language.ts';

/**
 * Characters no answer needs and a reader cannot see: the C0 and C1 controls
 * (NUL, BEL, ESC, ...), DEL, the line and paragraph separators, and the bidi
 * controls (embeddings, overrides, isolates and direction marks, U+061C,
 * U+200E-F, U+202A-E, U+2066-9), which make text display other than it is
 * stored ("Trojan Source"). Answers are single lines (a menu arrives one item
 * a line), so no control is needed inside one: every channel refuses them,
 * by one rule and with one message, in the field schema.
 */
const HIDDEN_CHARACTER = /[\p{Cc}\p{Bidi_Control}\u2028\u2029]/u;
// Tab and line breaks are only white space in a page (a textarea's lines are the menu's items): the rest are shown.
const SHOWN_IN_PAGES = /(?![\t\n\r])[\p{Cc}\p{Bidi_Control}\u2028\u2029]/gu;

export function hasHiddenCharacter(text: string): boolean {
  return HIDDEN_CHARACTER.test(text);
}

/** What a person is told, whichever channel they used: `what` names the answer ("Business name"). */
export function hiddenCharacterProblem(what: string, language: Language = DEFAULT_LANGUAGE): string {
  return fill(catalogueFor(language).problems.hiddenCharacter, { what });
}

/**
 * Text for a page with each hidden character written out as `\uXXXX`, so a value stored before the rule (or text
 * that never passed it, such as a transcript) shows what it holds instead of reordering or hiding what is around it.
 */
export function withHiddenCharactersShown(text: string): string {
  return text.replace(
    SHOWN_IN_PAGES,
    (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`,
  );
}

const QUOTE_LENGTH = 48;
const HIDDEN_CHARACTERS = /[\p{Cc}\p{Bidi_Control}\u2028\u2029]/gu;

/**
 * What a person said, quoted back in a message: whole words only, at most QUOTE_LENGTH characters, with "…" where
 * words were left off. A single word longer than that is not quoted at all (undefined): the message says "that".
 */
export function quotedWords(text: string): string | undefined {
  const words = text.replace(HIDDEN_CHARACTERS, ' ').trim().split(/\s+/u);
  let quoted = '';
  for (const word of words) {
    const next = quoted === '' ? word : `${quoted} ${word}`;
    if (next.length > QUOTE_LENGTH) break;
    quoted = next;
  }
  if (quoted === '') return undefined;
  return quoted.length < words.join(' ').length ? `"${quoted}…"` : `"${quoted}"`;
}

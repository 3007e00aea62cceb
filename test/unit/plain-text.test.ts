import { describe, expect, it } from 'vitest';
import {
  hasHiddenCharacter,
  hiddenCharacterProblem,
  quotedWords,
  withHiddenCharactersShown,
} from '../../src/permits/plain-text.ts';

describe('hidden characters', () => {
  it('when text holds a C0 or C1 control, DEL, a line separator or a bidi control, then it has a hidden character', () => {
    for (const c of ['\u0000', '\u0007', '\u001b', '\n', '\u007f', '\u0085', '\u009b', '\u2028', '\u061c'])
      expect(hasHiddenCharacter(`a${c}b`), JSON.stringify(c)).toBe(true);
    for (const c of ['\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2069'])
      expect(hasHiddenCharacter(`a${c}b`), JSON.stringify(c)).toBe(true);
  });

  it('when text is accented, in another script or has emoji (joiners included), then it has none', () => {
    for (const text of ['Café Ñandú', 'שלום', 'مرحبا', 'میخواهم', '👩‍🍳', 'a\u00a0b'])
      expect(hasHiddenCharacter(text), text).toBe(false);
  });

  it('when text is shown in a page, then each hidden character is written out and tabs and line breaks are kept', () => {
    expect(withHiddenCharactersShown('evil\u202Etxt.exe\u0000\u001b[31m')).toBe('evil\\u202Etxt.exe\\u0000\\u001B[31m');
    expect(withHiddenCharactersShown('Carnitas\nHorchata\r\n\tcold')).toBe('Carnitas\nHorchata\r\n\tcold');
  });
});

describe('what a person is told about a hidden character', () => {
  it('when the answer named is the business name, then the message names it, in the language asked for', () => {
    expect(hiddenCharacterProblem('Business name')).toBe(
      'Business name contains a hidden control or text-direction character (often carried along when text is copied and pasted); please type it again as plain text.',
    );
    expect(hiddenCharacterProblem('Nombre del negocio', 'es')).toBe(
      'Nombre del negocio tiene un carácter de control o de dirección del texto que no se ve (suele venir al copiar y pegar); escríbalo de nuevo como texto simple.',
    );
  });
});

describe('quotedWords', () => {
  it.each([
    ['next blue moon', '"next blue moon"'],
    ['  next   blue moon ', '"next blue moon"'],
    ['blorp\u0007zap', '"blorp zap"'],
    // Forty-eight characters are quoted whole; one more and the last word is left off.
    ['x'.repeat(48), `"${'x'.repeat(48)}"`],
    [`${'x'.repeat(46)} yz`, `"${'x'.repeat(46)}…"`],
    // Many short words: the ellipsis still shows that some were left off.
    [Array<string>(17).fill('no').join(' '), `"${Array<string>(16).fill('no').join(' ')}…"`],
  ])('when %j was said, then it is quoted as %s', (said, expected) => {
    expect(quotedWords(said)).toBe(expected);
  });

  it.each(['', '   ', 'x'.repeat(49)])('when %j was said, then it is not quoted', (said) => {
    expect(quotedWords(said)).toBeUndefined();
  });
});

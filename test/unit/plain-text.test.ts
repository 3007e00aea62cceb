import { describe, expect, it } from 'vitest';
import { hasHiddenCharacter, withHiddenCharactersShown } from '../../src/permits/plain-text.ts';

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

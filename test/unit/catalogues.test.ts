import { describe, expect, it } from 'vitest';
import { catalogueFor, placeholdersOf } from '../../src/permits/catalogue.ts';
import { LANGUAGES } from '../../src/permits/language.ts';

/** Every line of a catalogue, by its dotted key. */
function lines(node: unknown, prefix = ''): Map<string, string> {
  const found = new Map<string, string>();
  if (typeof node === 'string') found.set(prefix, node);
  else if (typeof node === 'object' && node !== null)
    for (const [key, value] of Object.entries(node))
      for (const [k, v] of lines(value, prefix === '' ? key : `${prefix}.${key}`)) found.set(k, v);
  return found;
}

describe('the language catalogues', () => {
  const english = lines(catalogueFor('en'));

  it.each(LANGUAGES)('when read in %s, then it has every key of the other languages, none empty', (language) => {
    const own = lines(catalogueFor(language));
    for (const other of LANGUAGES)
      expect([...own.keys()].sort()).toEqual([...lines(catalogueFor(other)).keys()].sort());
    for (const [key, line] of own) expect(line.trim(), key).not.toBe('');
  });

  it('when a line takes values, then it takes the same ones in every language', () => {
    for (const language of LANGUAGES)
      for (const [key, line] of lines(catalogueFor(language)))
        expect(placeholdersOf(line), `${language} ${key}`).toEqual(placeholdersOf(english.get(key) ?? ''));
  });
});

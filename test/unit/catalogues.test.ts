import { describe, expect, it } from 'vitest';
import { catalogueFor, fieldTexts, fill, permitTypeLabel, placeholdersOf } from '../../src/permits/catalogue.ts';
import { LANGUAGES, isLanguage } from '../../src/permits/language.ts';

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

describe('fill', () => {
  it.each([
    [
      '{label} is too long; please keep it to {max} characters or fewer.',
      { label: 'Email', max: 200 },
      'Email is too long; please keep it to 200 characters or fewer.',
    ],
    ['We heard {count} digits', { count: 0 }, 'We heard 0 digits'],
    // A name without a value stays, so a missing value is seen rather than silently dropped.
    ['{date} is a {dateWeekday}', { date: 'March 3, 2027' }, 'March 3, 2027 is a {dateWeekday}'],
    ['{toString} stays', {}, '{toString} stays'],
  ])('when %j is filled with %j, then it reads %j', (line, values, expected) => {
    expect(fill(line, values)).toBe(expected);
  });
});

describe('placeholdersOf', () => {
  it('when a line takes values, then their names come back sorted, once per use', () => {
    expect(placeholdersOf('{max} for {label}, {label}')).toEqual(['label', 'label', 'max']);
    expect(placeholdersOf('No values here.')).toEqual([]);
  });
});

describe('the lines by language', () => {
  it('when a field or permit type is read in Spanish, then its Spanish text comes back', () => {
    expect(fieldTexts('booths', 'es').label).toBe('Número de puestos');
    expect(fieldTexts('booths', 'en').label).toBe('Number of booths');
    expect(permitTypeLabel('mobile_food_unit', 'es')).toBe('Unidad móvil de comida');
    expect(permitTypeLabel('mobile_food_unit', 'en')).toBe('Mobile food unit');
  });

  it.each([
    ['en', true],
    ['es', true],
    ['fr', false],
    ['EN', false],
    [undefined, false],
    [1, false],
  ])('when %j is checked, then it is a language we serve: %s', (value, expected) => {
    expect(isLanguage(value)).toBe(expected);
  });
});

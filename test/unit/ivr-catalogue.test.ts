import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalogueDifferences, ivrLinesPath, IvrLines, loadIvrCatalogue } from '../../src/ivr/ivr-lines.ts';
import { LANGUAGES } from '../../src/permits/language.ts';

const keysOf = (language: 'en' | 'es'): unknown => {
  const file = JSON.parse(readFileSync(ivrLinesPath(language), 'utf8')) as Record<string, Record<string, unknown>>;
  return {
    lines: Object.keys(file.lines ?? {}).sort(),
    names: Object.fromEntries(Object.entries(file.names ?? {}).map(([k, v]) => [k, Object.keys(v as object).sort()])),
  };
};

describe('the IVR catalogues, one per language', () => {
  it('when the shipped catalogues are loaded, then every line is in each language with the same placeholders', () => {
    const catalogue = loadIvrCatalogue();
    expect(catalogueDifferences(catalogue)).toEqual([]);
    for (const language of LANGUAGES) expect(keysOf(language)).toEqual(keysOf('en'));
    expect(catalogue.es.line('languageOffer')).toBe('Para español, oprima 2.');
    expect(catalogue.es.date('2027-03-05')).toBe('5 de marzo de 2027');
  });

  it('when a Spanish line forgets a placeholder the English one fills, then the difference is named', () => {
    const catalogue = loadIvrCatalogue();
    const file = JSON.parse(readFileSync(ivrLinesPath('es'), 'utf8')) as { lines: Record<string, string> };
    file.lines.callBackRecorded = 'Gracias. Le devolveremos la llamada. Adiós.';
    const broken = { ...catalogue, es: new IvrLines(JSON.stringify(file), undefined, 'es') };
    expect(catalogueDifferences(broken)).toEqual(['line "callBackRecorded" fills {number} in English but {} in es']);
  });
});

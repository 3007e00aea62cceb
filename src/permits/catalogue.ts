import { en, type Catalogue } from './catalogues/en.ts';
import { es } from './catalogues/es.ts';
import type { Language } from './language.ts';
import type { PermitType } from './permit-types.ts';

/**
 * The one way to a line in a language: each language's catalogue (catalogues/en.ts, es.ts) holds every text once,
 * and everything that shows or says a line reads it from here.
 */

export type { Catalogue } from './catalogues/en.ts';

const CATALOGUES: Readonly<Record<Language, Catalogue>> = { en, es };

export function catalogueFor(language: Language): Catalogue {
  return CATALOGUES[language];
}

export type FieldTextKey = keyof Catalogue['fields'];

/** How one field is put to a person: its label, the sentence asking for it, and its help and choices if any. */
export interface FieldTexts {
  readonly label: string;
  readonly ask: string;
  readonly hint?: string;
  readonly requiredWhen?: string;
  /** Choice value → its label. */
  readonly options?: Readonly<Record<string, string>>;
}

export function fieldTexts(name: FieldTextKey, language: Language): FieldTexts {
  return CATALOGUES[language].fields[name];
}

export function permitTypeLabel(type: PermitType, language: Language): string {
  return CATALOGUES[language].permitTypes[type];
}

// A value's name inside braces: "{label}", "{max}".
const PLACEHOLDER = /\{(\w{1,40})\}/g;

/** The line with each `{name}` replaced by its value; a name without a value is left as it is, to be seen. */
export function fill(line: string, values: Readonly<Record<string, string | number>>): string {
  return line.replace(PLACEHOLDER, (whole, name: string) =>
    Object.hasOwn(values, name) ? String(values[name]) : whole,
  );
}

/** The `{name}`s a line expects, for the catalogues' own test. */
export function placeholdersOf(line: string): string[] {
  return [...line.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '').sort();
}

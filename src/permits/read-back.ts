import { catalogueFor, fieldTexts } from './catalogue.ts';
import { formatDateForPeople, formatTimeForPeople } from './field-inputs.ts';
import { DEFAULT_LANGUAGE, type Language } from './language.ts';
import { FIELD_SPECS, fieldOptions, type FieldName, type PermitRulesContext } from './permit-fields.ts';
import type { DraftFields } from './permit-rules.ts';

/**
 * Field values as a person says them: "March 3, 2027", "9:30 PM",
 * "2 1 2, 5 5 5, 0 1 4 2", choice labels instead of codes. What the agent
 * reads back and what a resumed call is told about its earlier answers.
 */
export function spokenValue(
  name: FieldName,
  value: unknown,
  context: PermitRulesContext,
  language: Language = DEFAULT_LANGUAGE,
): string {
  const spec = FIELD_SPECS[name];
  const words = catalogueFor(language).values;
  switch (spec.kind) {
    case 'date':
      return typeof value === 'string' ? formatDateForPeople(value, language) : String(value);
    case 'time':
      return typeof value === 'string' ? formatTimeForPeople(value, language) : String(value);
    case 'phone':
      return typeof value === 'string' ? spokenPhone(value, language) : String(value);
    case 'yes-no':
    case 'consent':
      return value === true ? words.yes : words.no;
    case 'list':
      return Array.isArray(value) ? value.map(String).join(', ') : String(value);
    case 'choice':
      return fieldOptions(name, context, language).find((o) => o.value === value)?.label ?? String(value);
    default:
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

/** "+12125550142" → "2 1 2, 5 5 5, 0 1 4 2": groups a caller can follow; an extension follows as "extension 1 2". */
export function spokenPhone(stored: string, language: Language = DEFAULT_LANGUAGE): string {
  const [number = '', extension] = stored.split(';ext=');
  const digits = number.replace(/^\+1/, '').replace(/\D/g, '');
  const spaced = (group: string) => group.split('').join(' ');
  const groups =
    digits.length === 10
      ? [digits.slice(0, 3), digits.slice(3, 6), digits.slice(6)].map(spaced).join(', ')
      : spaced(digits);
  return extension === undefined
    ? groups
    : `${groups}, ${catalogueFor(language).values.extension} ${spaced(extension)}`;
}

/** Each answered field as "label: value", in the given order. */
export function readBack(
  fields: DraftFields,
  order: readonly FieldName[],
  context: PermitRulesContext,
  language: Language = DEFAULT_LANGUAGE,
): string[] {
  return order
    .filter((name) => fields[name] !== undefined)
    .map((name) => `${fieldTexts(name, language).label}: ${spokenValue(name, fields[name], context, language)}`);
}

/** "+14255550187;ext=12" → "(425) 555-0187 ext. 12": a phone number as a page shows it. */
export function writtenPhone(stored: string, language: Language = DEFAULT_LANGUAGE): string {
  const [number = '', extension] = stored.split(';ext=');
  const digits = number.replace(/^\+1/, '');
  const written = digits.length === 10 ? `(${digits.slice(0, 3)}) ${digits.slice(3, 6)}-${digits.slice(6)}` : number;
  return extension === undefined
    ? written
    : `${written} ${catalogueFor(language).values.writtenExtension} ${extension}`;
}

/** Each answered field as a label and its value in words, for a page that shows what was sent. */
export function writtenSummary(
  fields: DraftFields,
  order: readonly FieldName[],
  context: PermitRulesContext,
  language: Language = DEFAULT_LANGUAGE,
): { readonly label: string; readonly value: string }[] {
  return order
    .filter((name) => fields[name] !== undefined)
    .map((name) => {
      const value = fields[name];
      const written =
        FIELD_SPECS[name].kind === 'phone' && typeof value === 'string'
          ? writtenPhone(value, language)
          : spokenValue(name, value, context, language);
      return { label: fieldTexts(name, language).label, value: written };
    });
}

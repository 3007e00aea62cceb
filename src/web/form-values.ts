import { formatDateForPeople, formatTimeForPeople } from '../permits/field-inputs.ts';
import { DEFAULT_LANGUAGE, type Language } from '../permits/language.ts';
import { FIELD_SPECS, type FieldName } from '../permits/permit-fields.ts';
import type { DraftFields } from '../permits/permit-rules.ts';

/**
 * HTML forms send only strings. This turns a posted form into the typed
 * values the permit schema takes (booleans, lists, numbers), by each field's
 * kind. Posted names that are not fields of the chosen permit type are never
 * read, so they are neither stored nor echoed.
 */
export type FormBody = Readonly<Record<string, unknown>>;

/** What the user typed, kept as text to put back into the form next to its error. */
export type EnteredValues = Partial<Record<FieldName, string>>;

const WHOLE_NUMBER = /^\d+$/;

export function readPostedFields(
  body: FormBody,
  fields: readonly FieldName[],
): { values: DraftFields; entered: EnteredValues } {
  const values: DraftFields = {};
  const entered: EnteredValues = {};
  for (const name of fields) {
    const raw = body[name];
    // A repeated name (a crafted post) is read as its last value, like a browser would submit one.
    const text = (Array.isArray(raw) ? String(raw.at(-1) ?? '') : typeof raw === 'string' ? raw : '').trim();
    if (text === '') continue;
    entered[name] = text;
    values[name] = typedValue(name, text);
  }
  return { values, entered };
}

function typedValue(name: FieldName, text: string): unknown {
  switch (FIELD_SPECS[name].kind) {
    case 'yes-no':
      return text === 'yes' ? true : text === 'no' ? false : text;
    case 'consent':
      return text === 'yes' ? true : text;
    case 'list':
      return text
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== '');
    case 'count':
      // Anything else is passed on as text so the schema answers with the field's own message.
      return WHOLE_NUMBER.test(text) ? Number(text) : text;
    default:
      return text;
  }
}

/** Answers a form never puts back on its own: a declaration is made by ticking it, for what is on screen now. */
const DECLARATIONS: ReadonlySet<FieldName> = new Set(['attestation']);
const NORTH_AMERICAN_E164 = /^\+1(\d{3})(\d{3})(\d{4})$/;

/**
 * Stored answers (canonical: E.164, ISO dates, 24-hour times, booleans,
 * lists) as a person would type them in `language`, to fill the form in: the inverse of
 * readPostedFields, and each text reads back to the same stored value. The
 * attestation is left unticked: the applicant confirms what they submit,
 * which may differ from what they said on the phone.
 */
export function enteredFromStored(
  fields: DraftFields,
  names: readonly FieldName[],
  language: Language = DEFAULT_LANGUAGE,
): EnteredValues {
  const entered: EnteredValues = {};
  for (const name of names) {
    const value = fields[name];
    if (value === undefined || DECLARATIONS.has(name)) continue;
    const text = storedAsText(name, value, language);
    if (text !== '') entered[name] = text;
  }
  return entered;
}

function storedAsText(name: FieldName, value: unknown, language: Language): string {
  switch (FIELD_SPECS[name].kind) {
    case 'yes-no':
      return value === true ? 'yes' : value === false ? 'no' : '';
    case 'consent':
      return value === true ? 'yes' : '';
    case 'list':
      return Array.isArray(value) ? value.map(String).join('\n') : '';
    case 'date':
      return typeof value === 'string' ? formatDateForPeople(value, language) : '';
    case 'time':
      return typeof value === 'string' ? formatTimeForPeople(value, language) : '';
    case 'phone': {
      const digits = typeof value === 'string' ? NORTH_AMERICAN_E164.exec(value) : null;
      return digits === null ? String(value) : `${digits[1] ?? ''}-${digits[2] ?? ''}-${digits[3] ?? ''}`;
    }
    default:
      return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  }
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { formatDateForPeople } from '../permits/field-inputs.ts';
import { LANGUAGES, type Language } from '../permits/language.ts';
import { PERMIT_TYPES, type PermitType } from '../permits/permit-types.ts';

/**
 * What the keypad IVR says, and the words it understands when a caller
 * speaks instead of pressing a key, live in prompts/ as a versioned file
 * (like the agent's instructions): a change of wording is a reviewed change
 * of file, and a call records the version it ran with.
 *
 * The file is checked once, at start: every line the code uses must be
 * there, and a line may only use the {{placeholders}} the code fills in, so
 * a typo fails the start, not a caller's call.
 *
 * One catalogue per language (docs/ivr.md): English is prompts/ivr-lines.v1.json,
 * every other language prompts/<language>/ivr-lines.v1.json, with the same
 * version, the same lines and the same placeholders in each line, so that a
 * line added in one language and forgotten in another fails the start too.
 */
export const IVR_LINES_VERSION = 'ivr-lines.v1';
const PROMPTS_DIR = join(import.meta.dirname, '../../prompts');

/** Each line the IVR says, with the placeholders the code fills in. */
const LINE_PARAMETERS = {
  welcome: [],
  resumed: [],
  permitTypeQuestion: [],
  permitTypeOption: ['label', 'digit'],
  permitTypeChosen: ['label'],
  callbackQuestion: ['number'],
  callbackSaved: [],
  callbackSkipped: [],
  businessNameQuestion: [],
  businessNameAgain: [],
  addressQuestion: ['field'],
  addressAgain: ['field'],
  heardBack: ['value'],
  confirmOrRepeat: [],
  confirmOrLeave: [],
  confirmed: [],
  leftForWeb: [],
  startDateQuestion: [],
  endDateQuestion: [],
  dateNoted: ['which', 'date'],
  notADate: [],
  notHeard: [],
  notUnderstood: [],
  notClear: [],
  reviewIntro: [],
  reviewQuestion: [],
  submitted: ['reference'],
  webLinkOffer: [],
  webLinkSent: [],
  webLinkFailed: ['applyAddress', 'resumeWindow'],
  callBack: ['applyAddress', 'resumeWindow'],
  applyOnline: ['applyAddress', 'resumeWindow'],
  trouble: ['applyAddress'],
  // Said in each catalogue's own voice at the welcome, English's then Spanish's ("Para español, oprima 2").
  languageOffer: [],
  // A person one key away (keypad 0): put through in office hours, otherwise a call back or the web link.
  transferring: [],
  transferUnanswered: ['applyAddress', 'resumeWindow'],
  staffClosed: ['hours'],
  staffUnavailable: [],
  callBackOffer: [],
  callBackRecorded: ['number'],
  callBackUnavailable: [],
  carryOn: [],
  // In place of a refusal the shared rules word in English only, for a catalogue in another language.
} as const satisfies Record<string, readonly string[]>;

export type IvrLineName = keyof typeof LINE_PARAMETERS;
type ParametersOf<N extends IvrLineName> = (typeof LINE_PARAMETERS)[N][number];
type LineValues<N extends IvrLineName> = [ParametersOf<N>] extends [never]
  ? []
  : [Readonly<Record<ParametersOf<N>, string>>];

/** The fields the IVR names aloud: each permit type's own address, and the event's days. */
export const IVR_NAMED_FIELDS = [
  'eventAddress',
  'establishmentAddress',
  'homeAddress',
  'commissaryAddress',
  'eventStartDate',
  'eventEndDate',
] as const;
export type IvrNamedField = (typeof IVR_NAMED_FIELDS)[number];

export function isIvrNamedField(name: string): name is IvrNamedField {
  return (IVR_NAMED_FIELDS as readonly string[]).includes(name);
}

const PLACEHOLDER = /\{\{(\w+)\}\}/g;
const LINE_NAMES = Object.keys(LINE_PARAMETERS) as IvrLineName[];

const wordList = z.array(z.string().trim().toLowerCase().min(1)).min(1);

const linesFile = z.object({
  version: z.string(),
  lines: z
    .object(
      Object.fromEntries(LINE_NAMES.map((name) => [name, z.string().trim().min(1)])) as Record<
        IvrLineName,
        z.ZodString
      >,
    )
    .strict(),
  understood: z.object({
    yes: wordList,
    no: wordList,
    // Asking for a person, which the IVR hears at any menu as it does the 0 key.
    person: wordList,
    digits: z.record(z.string().regex(/^\d$/), wordList),
    permitTypes: z
      .object(Object.fromEntries(PERMIT_TYPES.map((type) => [type, wordList])) as Record<PermitType, typeof wordList>)
      .strict(),
  }),
  // What the IVR calls things in this language: the permit types and the fields it asks for by name.
  names: z.object({
    permitTypes: z
      .object(
        Object.fromEntries(PERMIT_TYPES.map((type) => [type, z.string().trim().min(1)])) as Record<
          PermitType,
          z.ZodString
        >,
      )
      .strict(),
    fields: z
      .object(
        Object.fromEntries(IVR_NAMED_FIELDS.map((field) => [field, z.string().trim().min(1)])) as Record<
          IvrNamedField,
          z.ZodString
        >,
      )
      .strict(),
  }),
});

export interface UnderstoodWords {
  readonly yes: readonly string[];
  readonly no: readonly string[];
  /** Words that ask for a person ("agent", "persona"). */
  readonly person: readonly string[];
  /** Digit → the words a recogniser may write for it ("one"). */
  readonly digits: Readonly<Record<string, readonly string[]>>;
  readonly permitTypes: Readonly<Record<PermitType, readonly string[]>>;
}

export interface IvrNames {
  /** "Temporary food event", as a sentence begins with it. */
  readonly permitTypes: Readonly<Record<PermitType, string>>;
  /** "event address", "first day of the event": as they are said inside a sentence. */
  readonly fields: Readonly<Record<IvrNamedField, string>>;
}

// Spanish dates as a Spanish speaker says them: "5 de marzo de 2027". UTC: an ISO date has no time of day.
const SPANISH_DATE = new Intl.DateTimeFormat('es-US', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

export class IvrLines {
  readonly version: string;
  readonly language: Language;
  readonly understood: UnderstoodWords;
  readonly names: IvrNames;
  readonly #lines: Readonly<Record<IvrLineName, string>>;

  /** Reads and checks the lines; throws with every problem listed. */
  constructor(json: string, expectedVersion: string = IVR_LINES_VERSION, language: Language = 'en') {
    const parsed = linesFile.safeParse(JSON.parse(json) as unknown);
    if (!parsed.success)
      throw new Error(`IVR lines (${expectedVersion}) are invalid: ${z.prettifyError(parsed.error)}`);
    const problems: string[] = [];
    if (parsed.data.version !== expectedVersion)
      problems.push(`the file says version "${parsed.data.version}", expected "${expectedVersion}"`);
    for (const name of LINE_NAMES) {
      const allowed: readonly string[] = LINE_PARAMETERS[name];
      for (const [, placeholder = ''] of parsed.data.lines[name].matchAll(PLACEHOLDER)) {
        if (!allowed.includes(placeholder))
          problems.push(
            `line "${name}" uses {{${placeholder}}}, which the IVR does not fill in (it may use: ${allowed.join(', ') || 'none'})`,
          );
      }
    }
    if (problems.length > 0) throw new Error(`IVR lines (${expectedVersion}) are invalid: ${problems.join('; ')}`);
    this.version = parsed.data.version;
    this.language = language;
    this.#lines = parsed.data.lines;
    this.understood = parsed.data.understood;
    this.names = parsed.data.names;
  }

  /** The line as written, placeholders and all: for comparing catalogues. */
  template(name: IvrLineName): string {
    return this.#lines[name];
  }

  /** An ISO date as this language says it ("March 5, 2027", "5 de marzo de 2027"). */
  date(iso: string): string {
    return this.language === 'es' ? SPANISH_DATE.format(new Date(`${iso}T00:00:00Z`)) : formatDateForPeople(iso);
  }

  /** The line with its placeholders filled in. */
  line<N extends IvrLineName>(name: N, ...values: LineValues<N>): string {
    const given: Readonly<Record<string, string>> = values[0] ?? {};
    return this.#lines[name]
      .replace(PLACEHOLDER, (_placeholder, key: string) => given[key] ?? '')
      .replace(/\s+/g, ' ')
      .trim();
  }
}

/** Where a language's catalogue is shipped: English at the top of prompts/, the others in a folder of their own. */
export function ivrLinesPath(language: Language): string {
  return language === 'en'
    ? join(PROMPTS_DIR, `${IVR_LINES_VERSION}.json`)
    : join(PROMPTS_DIR, language, `${IVR_LINES_VERSION}.json`);
}

/** The lines shipped in prompts/ (IVR_LINES_VERSION) for one language, read when the IVR is built at start. */
export function loadIvrLines(language: Language = 'en'): IvrLines {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- one of our own prompt files, by language
  return new IvrLines(readFileSync(ivrLinesPath(language), 'utf8'), IVR_LINES_VERSION, language);
}

/** Every language's lines. */
export type IvrCatalogue = Readonly<Record<Language, IvrLines>>;

/**
 * Where two catalogues disagree: a line whose placeholders differ (a Spanish line that forgot the number it
 * reads back), or a digit one understands and the other does not. Empty when they agree.
 */
export function catalogueDifferences(catalogue: IvrCatalogue): string[] {
  const problems: string[] = [];
  const english = catalogue.en;
  const placeholders = (text: string): string =>
    [...new Set([...text.matchAll(PLACEHOLDER)].map(([, name = '']) => name))].sort().join(', ');
  for (const language of LANGUAGES) {
    const other = catalogue[language];
    if (other.version !== english.version)
      problems.push(`the ${language} lines are version "${other.version}", the English ones "${english.version}"`);
    for (const name of LINE_NAMES) {
      const want = placeholders(english.template(name));
      const got = placeholders(other.template(name));
      if (want !== got) problems.push(`line "${name}" fills {${want}} in English but {${got}} in ${language}`);
    }
    const digits = (lines: IvrLines): string => Object.keys(lines.understood.digits).sort().join('');
    if (digits(other) !== digits(english))
      problems.push(
        `the ${language} lines understand the digits ${digits(other)}, the English ones ${digits(english)}`,
      );
  }
  return problems;
}

/** Every language's shipped lines, checked against each other; throws with every difference listed. */
export function loadIvrCatalogue(): IvrCatalogue {
  const catalogue = Object.fromEntries(LANGUAGES.map((language) => [language, loadIvrLines(language)])) as Record<
    Language,
    IvrLines
  >;
  const problems = catalogueDifferences(catalogue);
  if (problems.length > 0) throw new Error(`IVR lines disagree between languages: ${problems.join('; ')}`);
  return catalogue;
}

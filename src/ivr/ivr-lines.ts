import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
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
} as const satisfies Record<string, readonly string[]>;

export type IvrLineName = keyof typeof LINE_PARAMETERS;
type ParametersOf<N extends IvrLineName> = (typeof LINE_PARAMETERS)[N][number];
type LineValues<N extends IvrLineName> = [ParametersOf<N>] extends [never]
  ? []
  : [Readonly<Record<ParametersOf<N>, string>>];

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
    digits: z.record(z.string().regex(/^\d$/), wordList),
    permitTypes: z
      .object(Object.fromEntries(PERMIT_TYPES.map((type) => [type, wordList])) as Record<PermitType, typeof wordList>)
      .strict(),
  }),
});

export interface UnderstoodWords {
  readonly yes: readonly string[];
  readonly no: readonly string[];
  /** Digit → the words a recogniser may write for it ("one"). */
  readonly digits: Readonly<Record<string, readonly string[]>>;
  readonly permitTypes: Readonly<Record<PermitType, readonly string[]>>;
}

export class IvrLines {
  readonly version: string;
  readonly understood: UnderstoodWords;
  readonly #lines: Readonly<Record<IvrLineName, string>>;

  /** Reads and checks the lines; throws with every problem listed. */
  constructor(json: string, expectedVersion: string = IVR_LINES_VERSION) {
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
    this.#lines = parsed.data.lines;
    this.understood = parsed.data.understood;
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

/** The lines shipped in prompts/ (IVR_LINES_VERSION), read when the IVR is built at start. */
export function loadIvrLines(): IvrLines {
  return new IvrLines(readFileSync(join(PROMPTS_DIR, `${IVR_LINES_VERSION}.json`), 'utf8'));
}

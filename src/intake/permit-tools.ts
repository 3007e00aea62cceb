import { z } from 'zod';
import { fieldTexts } from '../permits/catalogue.ts';
import { DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES, isLanguage, type Language } from '../permits/language.ts';
import type { StaffLine } from '../permits/office-hours.ts';
import type { CallBackRequests } from '../store/call-back-requests.ts';
import { readPhoneAnswer } from '../permits/field-inputs.ts';
import { FIELD_NAMES, type FieldName } from '../permits/permit-fields.ts';
import type { PermitRules } from '../permits/permit-rules.ts';
import { isPermitType } from '../permits/permit-types.ts';
import { readBack } from '../permits/read-back.ts';
import { spokenReferenceNumber } from '../permits/reference-number.ts';
import type { ApplicationService } from './application-service.ts';

/**
 * What the voice agent may do, as function tools: save answers, read the
 * application back, submit it once the caller confirmed, and end the call.
 * Parameter schemas come from the permit schema (z.toJSONSchema), never
 * written twice. A bad argument is a result the model can act on, never an
 * exception: the caller hears a question, not silence.
 */

export interface ToolDefinition {
  readonly type: 'function';
  readonly name: string;
  readonly description: string;
  readonly parameters: Record<string, unknown>;
}

export interface ToolOutcome {
  /** JSON text for the model (function_call_output). */
  readonly output: string;
  /** One line for the transcript: what was captured or refused. */
  readonly summary: string;
  /** end_call: hang up once the goodbye has been heard. */
  readonly endCall: boolean;
  /** transfer_to_person while the staff line is open: put the caller through once this line has been heard. */
  readonly transferToStaff?: true;
  /** set_language: the call goes on in this language (the session's instructions and transcription follow). */
  readonly language?: Language;
  /**
   * Where the conversation is after this tool, for the staff live page: `collecting` when an answer was saved or
   * cleared, `read-back` when the whole application was fetched to read back; absent when the tool says nothing.
   */
  readonly stage?: 'collecting' | 'read-back';
}

/**
 * What a tool's answer to the model comes to, for metrics and spans: `invalid` when it refused what it was given
 * (`ok: false`, or answers it could not accept: the model asks again), else `ok`. Only the number of problems is
 * kept, never their wording, which can quote the caller. A tool that failed on our side throws instead.
 */
export function toolResultOf(outcome: ToolOutcome): { readonly result: 'ok' | 'invalid'; readonly problems: number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(outcome.output);
  } catch {
    return { result: 'ok', problems: 0 };
  }
  const output = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const problems = Array.isArray(output.problems) ? output.problems.length : 0;
  if (output.ok === false) return { result: 'invalid', problems: Math.max(problems, 1) };
  return { result: problems > 0 ? 'invalid' : 'ok', problems };
}

const submitArguments = z.object({ caller_confirmed: z.boolean() });

// What the agent tells the caller when their number has had its texts for the day (SMS_PER_NUMBER_PER_DAY).
const NO_TEXT_TODAY =
  'No text message can be sent to this phone number today: it has already had the most texts we send in one day. Tell the caller, read the reference number out twice, and ask them to write it down.';

export function permitToolDefinitions(rules: PermitRules): ToolDefinition[] {
  const fields = z.object(rules.fieldSchemas).partial();
  const updateParameters = z.toJSONSchema(fields, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete updateParameters.$schema;
  return [
    {
      type: 'function',
      name: 'update_application',
      description:
        'Save the answers the caller just gave: pass only those fields. Returns what was saved, each problem in plain words (ask the caller again), and what is still missing.',
      parameters: updateParameters,
    },
    {
      type: 'function',
      name: 'get_application',
      description: 'Get the application as it stands, in words to read back to the caller, and what is still missing.',
      parameters: { type: 'object', properties: {}, additionalProperties: false },
    },
    {
      type: 'function',
      name: 'submit_application',
      description:
        'Submit the application. Only after reading it back with get_application and the caller saying it is correct. Returns the reference number to read out.',
      parameters: {
        type: 'object',
        properties: {
          caller_confirmed: { type: 'boolean', description: 'true only if the caller confirmed the read-back' },
        },
        required: ['caller_confirmed'],
        additionalProperties: false,
      },
    },
    {
      type: 'function',
      name: 'transfer_to_person',
      description:
        'The caller asked for a person (or pressed 0). Puts them through to staff if the office is open; otherwise says when it is, and you offer the web form or to carry on with you.',
      parameters: { type: 'object', properties: {}, additionalProperties: false },
    },
    {
      type: 'function',
      name: 'request_call_back',
      description:
        'Outside office hours, the caller would like staff to call them back: records the request for staff, for the number they are calling from. Only after transfer_to_person said the office is closed and the caller said yes to a call back.',
      parameters: { type: 'object', properties: {}, additionalProperties: false },
    },
    {
      type: 'function',
      name: 'set_language',
      description:
        'The caller speaks, or asks for, another language than the one the call is in (or pressed 2 for Spanish): switch the call to it, then carry on in that language.',
      parameters: {
        type: 'object',
        properties: { language: { type: 'string', enum: [...LANGUAGES], description: 'en: English; es: Spanish' } },
        required: ['language'],
        additionalProperties: false,
      },
    },
    {
      type: 'function',
      name: 'end_call',
      description: 'Hang up after your goodbye has been spoken. Call it only after saying goodbye.',
      parameters: { type: 'object', properties: {}, additionalProperties: false },
    },
  ];
}

/** The staff line a caller can be put through to, and the web address offered when nobody can take the call. */
export interface StaffDesk {
  readonly line: StaffLine;
  /** The form's address as it is spoken ("permits dot example dot gov slash apply"). */
  readonly applyAddress: string;
  /** Where a caller's request to be called back goes, for staff (/staff/call-backs); none: no call back is offered. */
  readonly callBacks?: Pick<CallBackRequests, 'recordCallBack'> | undefined;
}

/** The call a toolbox serves: a call back goes to its caller's number, and staff see the call it was asked on. */
export interface ToolboxCall {
  readonly callSid: string;
  readonly callerNumber: string;
}

export interface ToolboxOptions {
  readonly staff?: StaffDesk | undefined;
  readonly language?: Language | undefined;
  readonly call?: ToolboxCall | undefined;
}

/** One per call: runs the agent's tool calls against the caller's draft. */
export class PermitToolbox {
  readonly #applications: ApplicationService;
  readonly #rules: PermitRules;
  readonly #applicationId: string;
  // Submitting needs a read-back after the last change: the caller confirms what they heard.
  #readBackIsCurrent = false;

  readonly #staff: StaffDesk | undefined;
  // The call's language: answers are read, and problems worded, in it.
  #language: Language;

  readonly #call: ToolboxCall | undefined;

  constructor(
    applications: ApplicationService,
    rules: PermitRules,
    applicationId: string,
    options: ToolboxOptions = {},
  ) {
    this.#applications = applications;
    this.#rules = rules;
    this.#applicationId = applicationId;
    this.#staff = options.staff;
    this.#language = options.language ?? DEFAULT_LANGUAGE;
    this.#call = options.call;
  }

  /**
   * The caller asked for a person, by voice (this tool) or with the keypad's 0 (the bridge calls it). Answers are
   * already saved as they are given, so a transfer loses nothing; outside office hours nobody is rung.
   */
  transferToPerson(): ToolOutcome {
    const number = this.#staff?.line.answerableNumber();
    if (number !== undefined) {
      return {
        output: JSON.stringify({
          ok: true,
          transferring: true,
          say: 'In one short sentence, tell the caller you are putting them through to a member of staff and that their answers so far are kept. Say nothing after it.',
        }),
        summary: 'put through to staff',
        endCall: false,
        transferToStaff: true,
      };
    }
    const hours = this.#staff?.line.number === undefined ? undefined : this.#staff.line.hoursInWords;
    return {
      output: JSON.stringify({
        ok: false,
        staff_available: false,
        ...(hours === undefined ? {} : { office_hours: hours }),
        say:
          (hours === undefined
            ? 'Tell the caller no one can take calls on this line.'
            : `Tell the caller the office is closed now and is open ${hours}, and that they can call back then.`) +
          ` Their answers are kept. Offer to carry on with you, ${this.#offersCallBack ? 'a call back from staff when the office is open (call request_call_back if they want it), ' : ''}or the web form at ${this.#staff?.applyAddress ?? 'our website'}.`,
      }),
      summary: hours === undefined ? 'asked for staff: no staff line' : 'asked for staff: office closed',
      endCall: false,
    };
  }

  /** The call goes on in `language`: by set_language, or the keypad's 2 at the greeting (the bridge calls it). */
  setLanguage(language: Language): ToolOutcome {
    this.#language = language;
    return {
      output: JSON.stringify({
        ok: true,
        language,
        say: `From now on speak only ${language === 'es' ? 'Spanish' : 'English'} with the caller. Tell them in one short sentence, in ${LANGUAGE_NAMES[language]}, that you will carry on in it, then go on with the next question.`,
      }),
      summary: `language: ${language}`,
      endCall: false,
      language,
    };
  }

  /** A call back can be offered: staff keep a list, and the caller's number is a real one to call. */
  get #offersCallBack(): boolean {
    return (
      this.#staff?.callBacks !== undefined &&
      this.#call !== undefined &&
      readPhoneAnswer(this.#call.callerNumber).kind === 'phone'
    );
  }

  async #requestCallBack(): Promise<ToolOutcome> {
    const callBacks = this.#staff?.callBacks;
    if (callBacks === undefined || this.#call === undefined || !this.#offersCallBack) {
      return refuse(
        'request_call_back',
        'A call back cannot be offered on this call (no number to call, or none are taken); offer the web form instead.',
      );
    }
    const { created } = await callBacks.recordCallBack({
      callSid: this.#call.callSid,
      callerNumber: this.#call.callerNumber,
      language: this.#language,
      applicationId: this.#applicationId,
      channel: 'voice',
    });
    return {
      output: JSON.stringify({
        ok: true,
        say: 'Tell the caller in one short sentence that staff will call them back at the number they are calling from when the office is open, and that their answers are kept.',
      }),
      summary: created ? 'call back requested' : 'call back already requested',
      endCall: false,
    };
  }

  async run(name: string, argumentsJson: string): Promise<ToolOutcome> {
    const args = parseArguments(argumentsJson);
    if (args === undefined)
      return refuse(name, 'The arguments were not a JSON object; call the tool again with an object.');
    switch (name) {
      case 'update_application':
        return this.#update(args);
      case 'get_application':
        return this.#get();
      case 'submit_application':
        return this.#submit(args);
      case 'end_call':
        return { output: JSON.stringify({ ok: true }), summary: 'end call', endCall: true };
      case 'transfer_to_person':
        return this.transferToPerson();
      case 'request_call_back':
        return this.#requestCallBack();
      case 'set_language':
        return isLanguage(args.language)
          ? this.setLanguage(args.language)
          : refuse(name, `language must be one of ${LANGUAGES.join(', ')}.`);
      default:
        return refuse(
          name,
          `There is no tool named ${name.slice(0, 40)}; use update_application, get_application, submit_application, transfer_to_person, request_call_back, set_language or end_call.`,
        );
    }
  }

  async #update(args: Record<string, unknown>): Promise<ToolOutcome> {
    const result = await this.#applications.updateDraft(this.#applicationId, args, 'voice', this.#language);
    if (result.accepted.length > 0 || result.cleared.length > 0) this.#readBackIsCurrent = false;
    const output = {
      saved: result.accepted.map((field) => fieldTexts(field, this.#language).label),
      problems: result.problems.map((p) => p.message),
      still_missing: result.missing.length,
      next_question: this.#nextQuestion(result.missing),
    };
    const summary = [
      ...result.accepted.map((field) => `${field} ← ${describe(result.fields[field])}`),
      ...result.problems.map((p) => `${p.field} rejected: ${p.message}`),
    ].join('; ');
    const changed = result.accepted.length > 0 || result.cleared.length > 0;
    return {
      output: JSON.stringify(output),
      summary: summary || 'nothing saved',
      endCall: false,
      ...(changed ? { stage: 'collecting' as const } : {}),
    };
  }

  async #get(): Promise<ToolOutcome> {
    const draft = await this.#applications.find(this.#applicationId);
    const fields = draft?.fields ?? {};
    const type = fields.permitType;
    const order: readonly FieldName[] = isPermitType(type) ? this.#rules.fieldsOf(type) : FIELD_NAMES;
    const missing = this.#rules.missingFields(fields);
    this.#readBackIsCurrent = missing.length === 0;
    const output = {
      read_back: readBack(fields, order, this.#rules.context, this.#language),
      complete: missing.length === 0,
      still_missing: missing.map((field) => fieldTexts(field, this.#language).ask),
    };
    return {
      output: JSON.stringify(output),
      summary: `read back (${missing.length === 0 ? 'complete' : `${missing.length} missing`})`,
      endCall: false,
      ...(missing.length === 0 ? { stage: 'read-back' as const } : {}),
    };
  }

  async #submit(args: Record<string, unknown>): Promise<ToolOutcome> {
    const parsed = submitArguments.safeParse(args);
    if (!parsed.success || !parsed.data.caller_confirmed) {
      return refuse(
        'submit_application',
        'Submit only after the caller confirmed the read-back; ask them whether it is correct.',
      );
    }
    if (!this.#readBackIsCurrent) {
      return refuse(
        'submit_application',
        'Read the application back with get_application first and ask the caller to confirm it.',
      );
    }
    const result = await this.#applications.submit(this.#applicationId);
    if (!result.ok) {
      const output = { ok: false, problems: result.problems.map((p) => p.message) };
      return {
        output: JSON.stringify(output),
        summary: `submit refused: ${output.problems.join(' ')}`,
        endCall: false,
      };
    }
    const output = {
      ok: true,
      reference: result.reference,
      reference_to_read_out: spokenReferenceNumber(result.reference),
      text_message_will_follow: result.textMessageQueued,
      ...(result.textLimitReached ? { text_message_not_sent: NO_TEXT_TODAY } : {}),
    };
    const summary = `submitted as ${result.reference}${result.textLimitReached ? ' (no text: the daily limit for the number)' : ''}`;
    return { output: JSON.stringify(output), summary, endCall: false };
  }

  #nextQuestion(missing: readonly FieldName[]): string | undefined {
    const [next] = missing;
    return next === undefined ? undefined : fieldTexts(next, this.#language).ask;
  }
}

function parseArguments(json: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(json === '' ? '{}' : json);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function refuse(name: string, message: string): ToolOutcome {
  return {
    output: JSON.stringify({ ok: false, error: message }),
    summary: `${name} refused: ${message}`,
    endCall: false,
  };
}

function describe(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

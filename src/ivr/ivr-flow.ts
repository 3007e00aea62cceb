import type { Logger } from 'pino';
import type { ApplicationService } from '../intake/application-service.ts';
import { resumeWindowInWords, type ResumableDrafts } from '../intake/resumable-drafts.ts';
import { parseDateInput, parsePhoneInput } from '../permits/field-inputs.ts';
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from '../permits/language.ts';
import type { StaffLine } from '../permits/office-hours.ts';
import { FIELD_SPECS, type FieldName } from '../permits/permit-fields.ts';
import type { DraftFields, FieldProblem, PermitRules } from '../permits/permit-rules.ts';
import { isPermitType, PERMIT_TYPES, type PermitType } from '../permits/permit-types.ts';
import { readBack, spokenPhone } from '../permits/read-back.ts';
import { spokenReferenceNumber } from '../permits/reference-number.ts';
import { readSpokenDate } from '../permits/spoken-dates.ts';
import type { StoredApplication } from '../intake/application-service.ts';
import type { CallBackRequests } from '../store/call-back-requests.ts';
import type { CallRepository } from '../store/call-repository.ts';
import type { QueueOutcome } from '../store/sms-outbox-repository.ts';
import { asksForPerson, chooseOption, dateFromKeys, yesNoOptions, type Heard, type MenuOption } from './ivr-answers.ts';
import { isIvrNamedField, type IvrCatalogue, type IvrLines, type IvrNamedField } from './ivr-lines.ts';
import { IVR_QUESTIONS, visit, type IvrQuestion, type StepVisit } from './ivr-steps.ts';
import type { IvrReply, SpokenLine } from './ivr-twiml.ts';

/**
 * The keypad-and-speech IVR a caller lands in when the voice model is
 * unavailable or lost: permit type, callback number, business name,
 * business address and (for a temporary food event) the dates, each saved
 * to the call's draft the moment it is given, then a read-back and submit
 * if the draft is complete, or a text with a link to finish on the web.
 *
 * State lives in three places only: the draft (the answers), the step URL
 * (which question, which round, which try) and the call's language
 * (calls.language, chosen at the welcome). So a retried webhook finds the
 * state the first delivery left and gets the same reply, and an answer the
 * draft already holds is not written again.
 *
 * Keypad 0 at any question asks for a person: put through to the staff line
 * when someone answers it now, otherwise offered a call back or the web link
 * (docs/ivr.md).
 */

export const IVR_POLICY = {
  /** A step is asked at most this many times in a row (once, then once more); then the web link is offered. */
  maxAttempts: 2,
  /** Below this, Twilio's own speech confidence means "not understood" (0 to 1). */
  minSpeechConfidence: 0.5,
} as const;

/** Recorded as the call's "model": the answers came from the keypad IVR, not a realtime model. */
export const IVR_MODEL_NAME = 'ivr';

const TEMPORARY_FOOD_EVENT: PermitType = 'temporary_food_event';
// The key that asks for a person, at any question (as on the AI path).
const PERSON_KEY = '0';
// At the welcome: 2 (or "español") switches the call to Spanish; anything else, or nothing, keeps English.
const LANGUAGE_OPTIONS: readonly MenuOption<Language>[] = [
  { value: 'en', key: '1', words: ['english', 'inglés', 'ingles'] },
  { value: 'es', key: '2', words: ['español', 'espanol', 'spanish'] },
];
type CallBackChoice = 'call-back' | 'web-link' | 'carry-on';
const CALL_BACK_OPTIONS: readonly MenuOption<CallBackChoice>[] = [
  { value: 'call-back', key: '1', words: [] },
  { value: 'web-link', key: '2', words: [] },
  { value: 'carry-on', key: '3', words: [] },
];

export interface IvrCall {
  readonly callSid: string;
  readonly applicationId: string;
  /** The caller's number (E.164) when it is a North American number we can confirm and text; undefined for a withheld or foreign caller ID. */
  readonly callerPhone: string | undefined;
  /** What the IVR speaks and understands on this call. */
  readonly language: Language;
}

export interface IvrFlowDeps {
  readonly applications: ApplicationService;
  readonly calls: CallRepository;
  /** Which earlier draft a caller carries on with (the same rule as the voice agent's). */
  readonly resumableDrafts: Pick<ResumableDrafts, 'findFor'>;
  readonly rules: PermitRules;
  /** Each language's lines (loadIvrCatalogue). */
  readonly catalogue: IvrCatalogue;
  /** The staff line keypad 0 puts a caller through to, inside its office hours. */
  readonly staffLine: StaffLine;
  /** Where a caller's request to be called back is kept for staff. */
  readonly callBacks: Pick<CallBackRequests, 'recordCallBack'>;
  /**
   * Texts the caller a link to finish this draft on the web, in the call's language; resolves once the text is
   * queued (or is not: the daily cap).
   */
  readonly sendWebLink: (applicationId: string, toPhone: string, language: Language) => Promise<QueueOutcome>;
  /** The web form's address as it is read out ("permits.example.org/apply"). */
  readonly applyAddress: string;
}

interface Turn {
  readonly call: IvrCall;
  readonly draft: StoredApplication;
  readonly visit: StepVisit;
  readonly heard: Heard;
  readonly log: Logger;
  /** The call's language's lines. */
  readonly lines: IvrLines;
}

type SpokenQuestion = 'business-name' | 'address';
type DateQuestion = 'start-date' | 'end-date';

export class IvrFlow {
  readonly #d: IvrFlowDeps;
  readonly #addressFields: ReadonlyMap<PermitType, IvrNamedField>;
  // Where to finish, and for how long the answers wait: the words every goodbye ends with.
  readonly #goodbye: { readonly applyAddress: string; readonly resumeWindow: string };

  constructor(deps: IvrFlowDeps) {
    this.#d = deps;
    this.#goodbye = { applyAddress: deps.applyAddress, resumeWindow: resumeWindowInWords() };
    // The one address field of each type's own (the event's, the establishment's, the home's, the commissary's).
    const addressFields = new Map<PermitType, IvrNamedField>();
    for (const type of PERMIT_TYPES) {
      const field = deps.rules
        .fieldsOf(type)
        .find((name) => FIELD_SPECS[name].kind === 'address' && FIELD_SPECS[name].appliesTo === type);
      if (field === undefined) throw new Error(`the IVR finds no address field of its own for a ${type} permit`);
      // Each catalogue names it aloud: a new permit type's address needs its words in every language first.
      if (!isIvrNamedField(field)) throw new Error(`the IVR lines have no name for ${field}, the ${type}'s address`);
      addressFields.set(type, field);
    }
    this.#addressFields = addressFields;
  }

  /** The IVR's first answer to a call: the call recorded, its draft found (or a caller's recent one resumed, or a new one started) and attached. */
  async enter(callSid: string, from: string, status: string, log: Logger): Promise<IvrReply> {
    const call = await this.#startCall(callSid, from, status);
    const draft = await this.#draft(call);
    log.info(
      { applicationId: call.applicationId, resumed: hasAnswers(draft.fields), language: call.language },
      'IVR started',
    );
    if (draft.status === 'submitted') return this.#submitted(call, draft.reference);
    // A caller who chose Spanish already (on the AI path, or earlier in this call) is not asked again.
    if (call.language !== DEFAULT_LANGUAGE) return this.#welcome(call, draft.fields);
    return this.#ask(call, draft.fields, visit('language'), []);
  }

  /** The caller's answer to one step (or no answer: Twilio's redirect after a silent Gather). Undefined when the call is unknown. */
  async answer(callSid: string, v: StepVisit, heard: Heard, log: Logger): Promise<IvrReply | undefined> {
    const known = await this.#d.calls.find(callSid);
    if (known?.applicationId === undefined) return undefined;
    const call: IvrCall = {
      callSid,
      applicationId: known.applicationId,
      callerPhone: parsePhoneInput(known.fromPhone),
      language: known.language,
    };
    const draft = await this.#draft(call);
    if (draft.status === 'submitted') return this.#submitted(call, draft.reference);
    const turn: Turn = { call, draft, visit: v, heard, log, lines: this.#lines(call) };
    if (this.#asksForPerson(turn)) return this.#person(turn);
    switch (v.step) {
      case 'language':
        return this.#language(turn);
      case 'call-back-offer':
        return this.#callBackOffer(turn);
      case 'permit-type':
        return this.#permitType(turn);
      case 'callback':
        return this.#callback(turn);
      case 'business-name':
      case 'address':
        return this.#spoken(turn, v.step);
      case 'business-name-check':
        return this.#check(turn, 'business-name');
      case 'address-check':
        return this.#check(turn, 'address');
      case 'start-date':
      case 'end-date':
        return this.#date(turn, v.step);
      case 'review':
        return this.#review(turn);
      case 'web-link':
        return this.#webLink(turn);
    }
  }

  /** Said when something failed on our side: the answers given so far are safe in the draft. */
  trouble(language: Language = DEFAULT_LANGUAGE): IvrReply {
    return {
      kind: 'hang-up',
      language,
      say: [this.#d.catalogue[language].line('trouble', { applyAddress: this.#d.applyAddress })],
    };
  }

  /** The language the caller chose at the welcome, kept with the call; then the welcome in it. */
  async #language(t: Turn): Promise<IvrReply> {
    const chosen = chooseOption(t.heard, LANGUAGE_OPTIONS, this.#d.catalogue.en.understood) ?? DEFAULT_LANGUAGE;
    if (chosen !== t.call.language) await this.#d.calls.recordLanguage(t.call.callSid, chosen);
    t.log.info({ language: chosen }, 'IVR language chosen');
    return this.#welcome({ ...t.call, language: chosen }, t.draft.fields);
  }

  #welcome(call: IvrCall, fields: DraftFields): IvrReply {
    const lines = this.#lines(call);
    const greeting = [lines.line('welcome')];
    if (hasAnswers(fields)) greeting.push(lines.line('resumed'));
    return this.#advance(call, fields, undefined, greeting);
  }

  /** Keypad 0: a person if someone answers the staff line now; otherwise a call back or the web link, never an empty line. */
  #person(t: Turn): IvrReply {
    const { lines, call } = t;
    // Asked now, not at the call's start: the office may have opened or closed since.
    const number = this.#d.staffLine.answerableNumber();
    if (number !== undefined) {
      t.log.info('IVR caller put through to the staff line');
      return {
        kind: 'dial',
        language: call.language,
        say: [lines.line('transferring')],
        number,
        afterwards: [lines.line('transferUnanswered', this.#goodbye)],
      };
    }
    const closed =
      this.#d.staffLine.number === undefined
        ? lines.line('staffUnavailable')
        : lines.line('staffClosed', { hours: this.#d.staffLine.hoursIn(call.language) });
    t.log.info({ staffLineSet: this.#d.staffLine.number !== undefined }, 'IVR caller asked for a person out of hours');
    if (call.callerPhone === undefined)
      return this.#advance(call, t.draft.fields, undefined, [closed, lines.line('callBackUnavailable')]);
    return this.#ask(call, t.draft.fields, visit('call-back-offer'), [closed]);
  }

  /** 1: staff call the caller back (recorded once per call); 2: the web link by text; 3: the questions go on. */
  async #callBackOffer(t: Turn): Promise<IvrReply> {
    const { call, lines } = t;
    const phone = call.callerPhone;
    if (phone === undefined) return this.#advance(call, t.draft.fields, undefined, []);
    const choice = chooseOption(t.heard, CALL_BACK_OPTIONS, lines.understood);
    switch (choice) {
      case undefined:
        return this.#again(t);
      case 'carry-on':
        return this.#advance(call, t.draft.fields, undefined, [lines.line('carryOn')]);
      case 'web-link':
        return this.#sendWebLink(t, phone);
      case 'call-back': {
        const { created } = await this.#d.callBacks.recordCallBack({
          callSid: call.callSid,
          callerNumber: phone,
          language: call.language,
          applicationId: t.draft.id,
          channel: 'ivr',
        });
        t.log.info({ applicationId: t.draft.id, created }, 'IVR recorded a call-back request');
        return this.#hangUp(call, [lines.line('callBackRecorded', { number: spokenPhone(phone) })]);
      }
    }
  }

  /**
   * Keypad 0, or words asking for a person, at any step but the two that are already about it (the language
   * choice has its own keys; the call-back offer is the answer to asking). A business name or an address is taken
   * as said, so "Agent Orange Tacos" stays a name: only the keypad asks there.
   */
  #asksForPerson(t: Turn): boolean {
    const { step } = t.visit;
    if (step === 'language' || step === 'call-back-offer') return false;
    if (t.heard.kind === 'keys') return t.heard.digits === PERSON_KEY;
    return step !== 'business-name' && step !== 'address' && asksForPerson(t.heard, t.lines.understood);
  }

  #lines(call: IvrCall): IvrLines {
    return this.#d.catalogue[call.language];
  }

  #hangUp(call: IvrCall, say: readonly SpokenLine[]): IvrReply {
    return { kind: 'hang-up', language: call.language, say };
  }

  async #permitType(t: Turn): Promise<IvrReply> {
    const type = chooseOption(t.heard, this.#permitTypeOptions(t.lines), t.lines.understood);
    if (type === undefined) return this.#again(t);
    const saved = await this.#save(t, { permitType: type });
    const problem = problemOf(saved.problems, 'permitType');
    if (problem !== undefined) return this.#again(t, [problem]);
    return this.#advance(t.call, saved.fields, 'permit-type', [
      t.lines.line('permitTypeChosen', { label: t.lines.names.permitTypes[type] }),
    ]);
  }

  async #callback(t: Turn): Promise<IvrReply> {
    const phone = t.call.callerPhone;
    if (phone === undefined) return this.#advance(t.call, t.draft.fields, 'callback', []);
    const yes = chooseOption(t.heard, yesNoOptions(t.lines.understood), t.lines.understood);
    if (yes === undefined) return this.#again(t);
    if (!yes) return this.#advance(t.call, t.draft.fields, 'callback', [t.lines.line('callbackSkipped')]);
    const saved = await this.#save(t, { contactPhone: phone });
    const refused = problemOf(saved.problems, 'contactPhone') !== undefined;
    return this.#advance(t.call, saved.fields, 'callback', [
      t.lines.line(refused ? 'callbackSkipped' : 'callbackSaved'),
    ]);
  }

  /** A spoken answer is saved as heard (a dropped call keeps it), then read back for a keypad confirmation. */
  async #spoken(t: Turn, question: SpokenQuestion): Promise<IvrReply> {
    const field = this.#fieldOf(question, t.draft.fields);
    if (field === undefined) return this.#advance(t.call, t.draft.fields, question, []);
    if (t.heard.kind !== 'speech') return this.#again(t);
    // Twilio's recogniser ends a phrase with a full stop ("Harbor Grill."); it is not part of a name or an address.
    const saved = await this.#save(t, { [field]: t.heard.text.replace(/[.!?]+$/, '') });
    const problem = problemOf(saved.problems, field);
    if (problem !== undefined) return this.#again(t, [problem]);
    return this.#ask(
      t.call,
      saved.fields,
      visit(question === 'business-name' ? 'business-name-check' : 'address-check', { round: t.visit.round }),
      [],
    );
  }

  /** 1: right, go on. 2: say it again, once; wrong a second time, it is cleared and left to the web form. */
  async #check(t: Turn, question: SpokenQuestion): Promise<IvrReply> {
    const field = this.#fieldOf(question, t.draft.fields);
    if (field === undefined || t.draft.fields[field] === undefined)
      return this.#advance(t.call, t.draft.fields, question, []);
    const yes = chooseOption(t.heard, yesNoOptions(t.lines.understood), t.lines.understood);
    if (yes === undefined) return this.#again(t);
    if (yes) return this.#advance(t.call, t.draft.fields, question, [t.lines.line('confirmed')]);
    if (t.visit.round === 1) return this.#ask(t.call, t.draft.fields, visit(question, { round: 2 }), []);
    const saved = await this.#save(t, { [field]: null });
    return this.#advance(t.call, saved.fields, question, [t.lines.line('leftForWeb')]);
  }

  /** Keys as MMDD (or MMDDYYYY), or a spoken date; the shared rules decide (no past dates, no end before the start) and their words are told back. */
  async #date(t: Turn, question: DateQuestion): Promise<IvrReply> {
    const field = question === 'start-date' ? 'eventStartDate' : 'eventEndDate';
    if (t.draft.fields.permitType !== TEMPORARY_FOOD_EVENT) return this.#advance(t.call, t.draft.fields, question, []);
    // Digits read out one by one ("zero three zero five") come back as speech "0305": they are keys all the same.
    const spokenDigits = t.heard.kind === 'speech' ? t.heard.text.replace(/[.!?]+$/, '') : '';
    const heard: Heard = /^[\d\s]+$/.test(spokenDigits)
      ? { kind: 'keys', digits: spokenDigits.replace(/\s/g, '') }
      : t.heard;
    let given: string;
    if (heard.kind === 'keys') {
      const text = dateFromKeys(heard.digits);
      if (text === undefined || parseDateInput(text, this.#d.rules.context.today()) === undefined)
        return this.#again(t, [t.lines.line('notADate')]);
      given = text;
    } else if (heard.kind === 'speech') {
      given = this.#spokenDate(t, heard.text);
    } else {
      return this.#again(t);
    }
    const saved = await this.#save(t, { [field]: given });
    const problem = problemOf(saved.problems, field);
    const stored = saved.fields[field];
    if (problem !== undefined || typeof stored !== 'string')
      return this.#again(t, problem === undefined ? [] : [problem]);
    const noted = t.lines.line('dateNoted', { which: t.lines.names.fields[field], date: t.lines.date(stored) });
    return this.#advance(t.call, saved.fields, question, [noted]);
  }

  /**
   * A Spanish caller's date is read with the Spanish reader first ("el tres de marzo"): one day it finds is saved
   * as that day. Anything else (a range, a weekday that does not fit, nothing) goes to the shared rules as said,
   * which read ranges for both days and word their refusals.
   */
  #spokenDate(t: Turn, text: string): string {
    if (t.call.language !== 'es') return text;
    const reading = readSpokenDate(text, this.#d.rules.context.today(), 'es');
    return reading.kind === 'date' ? reading.date : text;
  }

  async #review(t: Turn): Promise<IvrReply> {
    const yes = chooseOption(t.heard, yesNoOptions(t.lines.understood), t.lines.understood);
    if (yes === undefined) return this.#again(t);
    if (!yes) return this.#offerWebLink(t.call, t.draft.fields, []);
    const result = await this.#d.applications.submit(t.draft.id);
    if (result.ok) {
      t.log.info(
        { applicationId: t.draft.id, alreadySubmitted: result.alreadySubmitted },
        'IVR submitted the application',
      );
      return this.#submitted(t.call, result.reference);
    }
    // Something became invalid since the read-back (a date passed at midnight): the web form shows what.
    return this.#offerWebLink(t.call, t.draft.fields, []);
  }

  /** The one step that never fails loudly: a text that cannot be queued is apologised for, never a 500. */
  async #webLink(t: Turn): Promise<IvrReply> {
    const { lines, call } = t;
    const phone = call.callerPhone;
    if (phone === undefined) return this.#hangUp(call, [lines.line('applyOnline', this.#goodbye)]);
    const yes = chooseOption(t.heard, yesNoOptions(lines.understood), lines.understood);
    if (yes === undefined) return this.#again(t);
    if (!yes) return this.#hangUp(call, [lines.line('callBack', this.#goodbye)]);
    return this.#sendWebLink(t, phone);
  }

  async #sendWebLink(t: Turn, phone: string): Promise<IvrReply> {
    const { lines, call } = t;
    try {
      if ((await this.#d.sendWebLink(t.draft.id, phone, call.language)) === 'limit-reached') {
        t.log.warn(
          { applicationId: t.draft.id },
          'IVR queued no web link: the number has had its texts for today; the caller was told to call back or apply online',
        );
        return this.#hangUp(call, [lines.line('webLinkFailed', this.#goodbye)]);
      }
      t.log.info({ applicationId: t.draft.id }, 'IVR queued a text with the web link');
      return this.#hangUp(call, [lines.line('webLinkSent')]);
    } catch (error) {
      t.log.warn(
        { err: error, applicationId: t.draft.id },
        'IVR could not queue the web link text; the caller was told to call back or apply online',
      );
      return this.#hangUp(call, [lines.line('webLinkFailed', this.#goodbye)]);
    }
  }

  /** Asked again once, with the reason; after that the web link is offered (or, at the offer itself, goodbye). */
  #again(t: Turn, told: readonly string[] = []): IvrReply {
    const reason = told.length > 0 ? told : [this.#sorry(t)];
    if (t.visit.attempt < IVR_POLICY.maxAttempts)
      return this.#ask(t.call, t.draft.fields, { ...t.visit, attempt: 2 }, reason);
    if (t.visit.step === 'web-link') return this.#hangUp(t.call, [...reason, t.lines.line('callBack', this.#goodbye)]);
    return this.#offerWebLink(t.call, t.draft.fields, reason);
  }

  #sorry(t: Turn): string {
    if (t.heard.kind === 'nothing') return t.lines.line('notHeard');
    if (t.heard.kind === 'unclear') return t.lines.line('notClear');
    return t.lines.line('notUnderstood');
  }

  /** The next question still open after `after`, then the read-back if the draft is complete, else the web link. */
  #advance(call: IvrCall, fields: DraftFields, after: IvrQuestion | undefined, before: readonly string[]): IvrReply {
    const from = after === undefined ? 0 : IVR_QUESTIONS.indexOf(after) + 1;
    const next = IVR_QUESTIONS.slice(from).find((question) => this.#isOpen(question, fields, call));
    if (next !== undefined) return this.#ask(call, fields, visit(next), before);
    if (this.#d.rules.missingFields(fields).length === 0) return this.#ask(call, fields, visit('review'), before);
    return this.#offerWebLink(call, fields, before);
  }

  #offerWebLink(call: IvrCall, fields: DraftFields, before: readonly string[]): IvrReply {
    if (call.callerPhone === undefined)
      return this.#hangUp(call, [...before, this.#lines(call).line('applyOnline', this.#goodbye)]);
    return this.#ask(call, fields, visit('web-link'), before);
  }

  #isOpen(question: IvrQuestion, fields: DraftFields, call: IvrCall): boolean {
    switch (question) {
      case 'permit-type':
        return !isPermitType(fields.permitType);
      case 'callback':
        return call.callerPhone !== undefined && fields.contactPhone === undefined;
      case 'business-name':
      case 'address': {
        const field = this.#fieldOf(question, fields);
        return field !== undefined && fields[field] === undefined;
      }
      case 'start-date':
        return fields.permitType === TEMPORARY_FOOD_EVENT && fields.eventStartDate === undefined;
      case 'end-date':
        return fields.permitType === TEMPORARY_FOOD_EVENT && fields.eventEndDate === undefined;
    }
  }

  /** The step's question, after `before` (what was just noted, or why it is asked again). */
  #ask(call: IvrCall, fields: DraftFields, v: StepVisit, before: readonly string[]): IvrReply {
    const lines = this.#lines(call);
    const ask = (
      answer: 'menu' | 'keys' | 'speech',
      say: readonly SpokenLine[],
      hints?: readonly string[],
    ): IvrReply => ({
      kind: 'ask',
      language: call.language,
      visit: v,
      answer,
      say: [...before, ...say],
      ...(hints === undefined ? {} : { hints }),
    });
    switch (v.step) {
      case 'language':
        // Each catalogue's offer in its own voice: "For English, …", then "Para español, oprima 2."
        return ask(
          'menu',
          LANGUAGES.map((language) => ({ text: this.#d.catalogue[language].line('languageOffer'), language })),
        );
      case 'call-back-offer':
        return ask('menu', [lines.line('callBackOffer')]);
      case 'permit-type':
        return ask(
          'menu',
          [
            lines.line('permitTypeQuestion'),
            ...this.#permitTypeOptions(lines).map((o) =>
              lines.line('permitTypeOption', { label: lines.names.permitTypes[o.value].toLowerCase(), digit: o.key }),
            ),
          ],
          PERMIT_TYPES.map((type) => lines.names.permitTypes[type].toLowerCase()),
        );
      case 'callback':
        if (call.callerPhone === undefined) return this.#advance(call, fields, 'callback', before);
        return ask('menu', [lines.line('callbackQuestion', { number: spokenPhone(call.callerPhone) })]);
      case 'business-name':
        return ask('speech', [lines.line(v.round === 1 ? 'businessNameQuestion' : 'businessNameAgain')]);
      case 'address': {
        const field = this.#addressFieldOf(fields);
        if (field === undefined) return this.#advance(call, fields, 'address', before);
        const name = lines.names.fields[field];
        return ask('speech', [
          v.round === 1 ? lines.line('addressQuestion', { field: name }) : lines.line('addressAgain', { field: name }),
        ]);
      }
      case 'business-name-check':
      case 'address-check': {
        const question = v.step === 'business-name-check' ? 'business-name' : 'address';
        const field = this.#fieldOf(question, fields);
        const value = field === undefined ? undefined : fields[field];
        if (typeof value !== 'string') return this.#advance(call, fields, question, before);
        return ask('menu', [
          lines.line('heardBack', { value }),
          lines.line(v.round === 1 ? 'confirmOrRepeat' : 'confirmOrLeave'),
        ]);
      }
      case 'start-date':
        return ask('keys', [lines.line('startDateQuestion')]);
      case 'end-date':
        return ask('keys', [lines.line('endDateQuestion')]);
      case 'review': {
        const type = fields.permitType;
        const items = isPermitType(type)
          ? readBack(fields, this.#d.rules.fieldsOf(type), this.#d.rules.context, call.language)
          : [];
        return ask('menu', [
          lines.line('reviewIntro'),
          ...items.map((item) => `${item}.`),
          lines.line('reviewQuestion'),
        ]);
      }
      case 'web-link':
        return ask('menu', [lines.line('webLinkOffer')]);
    }
  }

  #submitted(call: IvrCall, reference: string | undefined): IvrReply {
    if (reference === undefined) return this.trouble(call.language);
    return this.#hangUp(call, [this.#lines(call).line('submitted', { reference: spokenReferenceNumber(reference) })]);
  }

  #permitTypeOptions(lines: IvrLines): MenuOption<PermitType>[] {
    return PERMIT_TYPES.map((type, index) => ({
      value: type,
      key: String(index + 1),
      words: lines.understood.permitTypes[type],
    }));
  }

  #fieldOf(question: SpokenQuestion, fields: DraftFields): FieldName | undefined {
    if (question === 'business-name') return 'businessName';
    return this.#addressFieldOf(fields);
  }

  #addressFieldOf(fields: DraftFields): IvrNamedField | undefined {
    return isPermitType(fields.permitType) ? this.#addressFields.get(fields.permitType) : undefined;
  }

  /**
   * Saves through the shared use case, unless the draft already holds exactly
   * this answer (a retried webhook): then nothing is written, and the answer's
   * capture time stays the first one.
   */
  async #save(
    t: Turn,
    patch: Readonly<Record<string, unknown>>,
  ): Promise<{ fields: DraftFields; problems: readonly FieldProblem[] }> {
    const { draft, call } = t;
    // In the caller's language: refusals are worded in it, and the draft keeps it for its texts and status page.
    const preview = this.#d.rules.updateDraft(draft.fields, patch, call.language);
    const changes =
      preview.cleared.length > 0 ||
      preview.accepted.some((name) => JSON.stringify(draft.fields[name]) !== JSON.stringify(preview.fields[name]));
    if (!changes) return preview;
    return this.#d.applications.updateDraft(draft.id, patch, 'ivr', call.language);
  }

  async #startCall(callSid: string, from: string, status: string): Promise<IvrCall> {
    const { calls, applications, catalogue } = this.#d;
    const known = await calls.find(callSid);
    if (known === undefined) await calls.recordIncoming(callSid, from, status);
    await calls.markIvr(callSid);
    const callerPhone = parsePhoneInput(known?.fromPhone ?? from);
    let applicationId = known?.applicationId;
    if (applicationId === undefined) {
      const resumed = await this.#d.resumableDrafts.findFor(from);
      applicationId = resumed ?? (await applications.startDraft('ivr'));
      // Every catalogue has the same version (loadIvrCatalogue checks): the English one names it.
      await calls.attachApplication(callSid, applicationId, catalogue.en.version, IVR_MODEL_NAME);
    }
    return { callSid, applicationId, callerPhone, language: known?.language ?? DEFAULT_LANGUAGE };
  }

  async #draft(call: IvrCall): Promise<StoredApplication> {
    const draft = await this.#d.applications.find(call.applicationId);
    if (draft === undefined) throw new Error(`the IVR call's application ${call.applicationId} does not exist`);
    return draft;
  }
}

function hasAnswers(fields: DraftFields): boolean {
  return Object.values(fields).some((value) => value !== undefined);
}

function problemOf(problems: readonly FieldProblem[], field: FieldName): string | undefined {
  return problems.find((p) => p.field === field)?.message;
}

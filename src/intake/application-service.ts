import { AppError, UserInputError } from '../errors.ts';
import type { FieldName } from '../permits/permit-fields.ts';
import { textablePhone, todayIn } from '../permits/field-inputs.ts';
import type {
  DraftFields,
  DraftUpdate,
  FieldProblem,
  PermitApplication,
  PermitRules,
} from '../permits/permit-rules.ts';
import { catalogueFor, permitTypeLabel } from '../permits/catalogue.ts';
import { DEFAULT_LANGUAGE, type Language } from '../permits/language.ts';
import { newReferenceNumber } from '../permits/reference-number.ts';
import { buildSmsSummary } from '../sms/summary-text.ts';
import {
  ReferenceCollisionError,
  type ApplicationRepository,
  type Channel,
  type OutboxMessage,
  type StoredApplication,
} from '../store/application-repository.ts';

/**
 * The use cases every channel shares: start a draft, answer fields, submit,
 * and look an application up. The web form, the voice tools, the IVR and the
 * SMS webhooks reach applications through these and nothing below them
 * (docs/adr/0005-channels-and-storage.md says which other records channels
 * keep themselves).
 */

export type { Channel, StoredApplication } from '../store/application-repository.ts';

export type SubmitResult =
  | {
      readonly ok: true;
      readonly reference: string;
      readonly alreadySubmitted: boolean;
      /** The applicant said yes to texts, so an SMS summary is queued; otherwise the reference is only shown or read out. */
      readonly textMessageQueued: boolean;
      /** They said yes, but the number has had its texts for the day (SMS_PER_NUMBER_PER_DAY): none is queued. */
      readonly textLimitReached: boolean;
      /** The answers as submitted (canonical values), for a confirmation that shows what was sent. */
      readonly submitted: DraftFields;
    }
  | { readonly ok: false; readonly missing: readonly FieldName[]; readonly problems: readonly FieldProblem[] };

export interface DraftUpdateResult extends DraftUpdate {
  readonly missing: readonly FieldName[];
}

/** No application has this id: a programming error in a channel, or a forged id. */
export class UnknownApplicationError extends AppError {
  constructor(id: string) {
    super(`No application ${id}`, { status: 404 });
  }
}

// Six random symbols from 31 make a collision rare; a few draws make it practically impossible.
const REFERENCE_ATTEMPTS = 5;

export interface ApplicationServiceDeps {
  readonly repository: ApplicationRepository;
  readonly rules: PermitRules;
  readonly timeZone: string;
  readonly now?: () => Date;
  /** Called after a submit queued an SMS summary, so the outbox worker can send it now rather than at its next poll. */
  readonly onTextQueued?: () => void;
  /** At most this many texts to one number in any 24 hours, whatever the channel; 0 or absent: no cap. */
  readonly textsPerNumberPerDay?: number;
  /** Called when a submit queued no summary because the number has had its texts for the day (to log it). */
  readonly onTextLimitReached?: (applicationId: string) => void;
}

export class ApplicationService {
  readonly #repository: ApplicationRepository;
  readonly #rules: PermitRules;
  readonly #timeZone: string;
  readonly #now: () => Date;
  readonly #onTextQueued: () => void;
  readonly #textsPerNumberPerDay: number;
  readonly #onTextLimitReached: (applicationId: string) => void;

  constructor(deps: ApplicationServiceDeps) {
    this.#textsPerNumberPerDay = deps.textsPerNumberPerDay ?? 0;
    this.#onTextLimitReached = deps.onTextLimitReached ?? (() => undefined);
    this.#onTextQueued = deps.onTextQueued ?? (() => undefined);
    this.#repository = deps.repository;
    this.#rules = deps.rules;
    this.#timeZone = deps.timeZone;
    this.#now = deps.now ?? (() => new Date());
  }

  find(id: string): Promise<StoredApplication | undefined> {
    return this.#repository.find(id);
  }

  /** The application a reference number stands for (the SMS review link). */
  findByReference(reference: string): Promise<StoredApplication | undefined> {
    return this.#repository.findByReference(reference);
  }

  /** The applicant's most recently changed application, draft or submitted, by its contact phone (a STATUS text). */
  latestByContactPhone(phone: string): Promise<StoredApplication | undefined> {
    return this.#repository.latestByContactPhone(phone);
  }

  startDraft(channel: Channel, id?: string, language: Language = DEFAULT_LANGUAGE): Promise<string> {
    return this.#repository.createDraft(channel, id, language);
  }

  /**
   * Applies the answers that are valid at once (each saved before this returns) and reports the rest.
   * `channel` is where they were given (a draft begun on the phone can be carried on in the IVR); without it, the
   * channel the draft began on. `language` is the one the answers were given in (kept as the draft's, and the
   * messages' language); without it, the draft's own.
   */
  async updateDraft(
    id: string,
    patch: Readonly<Record<string, unknown>>,
    channel?: Channel,
    language?: Language,
  ): Promise<DraftUpdateResult> {
    const stored = await this.#repository.find(id);
    if (stored === undefined) throw new UnknownApplicationError(id);
    const served = language ?? stored.language;
    if (stored.status === 'submitted') {
      return {
        fields: stored.fields,
        accepted: [],
        cleared: [],
        problems: [
          {
            field: 'application',
            message: catalogueFor(served).problems.alreadySubmitted,
          },
        ],
        missing: [],
      };
    }
    const update = this.#rules.updateDraft(stored.fields, patch, served);
    const acceptedValues: DraftFields = {};
    for (const name of update.accepted) acceptedValues[name] = update.fields[name];
    if (update.accepted.length > 0 || update.cleared.length > 0 || served !== stored.language) {
      await this.#repository.saveFields(id, acceptedValues, update.cleared, channel, served);
    }
    return { ...update, missing: this.#rules.missingFields(update.fields, served) };
  }

  /** Submits a draft once it is complete; submitting again returns the same reference. */
  async submit(id: string): Promise<SubmitResult> {
    const stored = await this.#repository.find(id);
    if (stored === undefined) throw new UnknownApplicationError(id);
    if (stored.status === 'submitted' && stored.reference !== undefined)
      return this.#alreadySubmitted(stored, stored.reference);
    const check = this.#rules.checkApplication(stored.fields, stored.language);
    if (!check.ok) return check;
    return this.#markSubmitted(id, check.application, stored.language);
  }

  /**
   * The web form's path: the whole application arrives at once. Nothing is
   * stored unless every field is valid. `id` comes from the form, so a
   * double-clicked or re-posted form gives back the first reference. `language` is the form's: its messages, and
   * the application's language from then on.
   */
  async submitComplete(
    channel: Channel,
    id: string,
    values: DraftFields,
    language: Language = DEFAULT_LANGUAGE,
  ): Promise<SubmitResult> {
    const existing = await this.#repository.find(id);
    if (existing?.status === 'submitted' && existing.reference !== undefined && existing.channel === channel)
      return this.#alreadySubmitted(existing, existing.reference);
    const check = this.#rules.checkApplication(values, language);
    if (!check.ok) return check;
    // Form ids are random UUIDs, so this only happens to a forged post; it must not touch another channel's draft.
    if (existing !== undefined && existing.channel !== channel)
      throw new UserInputError('This form can no longer be used; please open the form again and resubmit.');
    await this.#repository.createDraft(channel, id, language);
    await this.#repository.saveFields(id, check.application, [], channel, language);
    return this.#markSubmitted(id, check.application, language);
  }

  /**
   * Completes an existing draft, begun on any channel, with a whole form (the
   * resume link): the caller of this has proved the applicant may finish
   * *this* draft. The form is the application as submitted, so answers it no
   * longer has are cleared; answers it left as they were keep the time they
   * were first given, except the attestation, which is given again now. `language` is the form's (else the
   * draft's), and is kept as the application's.
   */
  async completeDraft(id: string, values: DraftFields, language?: Language): Promise<SubmitResult> {
    const stored = await this.#repository.find(id);
    if (stored === undefined) throw new UnknownApplicationError(id);
    if (stored.status === 'submitted' && stored.reference !== undefined)
      return this.#alreadySubmitted(stored, stored.reference);
    const served = language ?? stored.language;
    const check = this.#rules.checkApplication(values, served);
    if (!check.ok) return check;
    const application: DraftFields = check.application;
    const changed: DraftFields = {};
    for (const [name, value] of Object.entries(application) as [FieldName, unknown][]) {
      if (name === 'attestation' || JSON.stringify(stored.fields[name]) !== JSON.stringify(value))
        changed[name] = value;
    }
    const cleared = (Object.keys(stored.fields) as FieldName[]).filter(
      (name) => stored.fields[name] !== undefined && application[name] === undefined,
    );
    // A whole form: these answers were given on the web, whichever channel began the draft.
    await this.#repository.saveFields(id, changed, cleared, 'web', served);
    return this.#markSubmitted(id, check.application, served);
  }

  /** A submit again: the same reference, and what happened to its text the first time. */
  async #alreadySubmitted(stored: StoredApplication, reference: string): Promise<SubmitResult> {
    const consent = stored.fields.smsConsent === true;
    const textQueued = consent && (await this.#repository.hasSummaryText(stored.id));
    return {
      ok: true,
      reference,
      alreadySubmitted: true,
      submitted: stored.fields,
      ...textOutcome(consent, textQueued),
    };
  }

  /** `language`: the applicant's, which their text is written in. */
  async #markSubmitted(id: string, application: PermitApplication, language: Language): Promise<SubmitResult> {
    const year = Number(todayIn(this.#timeZone, this.#now()).slice(0, 4));
    for (let attempt = 1; ; attempt++) {
      const reference = newReferenceNumber(year);
      try {
        const sms = smsSummaryFor(application, reference, this.#textsPerNumberPerDay, language);
        const { textQueued, ...result } = await this.#repository.markSubmitted(id, reference, sms);
        if (textQueued && !result.alreadySubmitted) this.#onTextQueued();
        if (application.smsConsent && !textQueued && !result.alreadySubmitted) this.#onTextLimitReached(id);
        return { ok: true, ...result, submitted: application, ...textOutcome(application.smsConsent, textQueued) };
      } catch (error) {
        if (!(error instanceof ReferenceCollisionError) || attempt >= REFERENCE_ATTEMPTS) throw error;
      }
    }
  }
}

function textOutcome(consent: boolean, queued: boolean): { textMessageQueued: boolean; textLimitReached: boolean } {
  return { textMessageQueued: queued, textLimitReached: consent && !queued };
}

/** The SMS to queue, or none when the applicant declined texts (the reference was shown or read out instead). */
function smsSummaryFor(
  application: PermitApplication,
  reference: string,
  perDay: number,
  language: Language,
): OutboxMessage | undefined {
  if (!application.smsConsent) return undefined;
  const body = buildSmsSummary({
    reference,
    language,
    permitTypeLabel: permitTypeLabel(application.permitType, language),
    businessName: application.businessName,
    ...(application.permitType === 'temporary_food_event'
      ? { eventDates: { start: application.eventStartDate, end: application.eventEndDate } }
      : {}),
  });
  return { toPhone: textablePhone(application.contactPhone), body, perDay };
}

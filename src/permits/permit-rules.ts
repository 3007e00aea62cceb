import { z } from 'zod';
import { spreadRanges } from './answer-ranges.ts';
import { formatDateForPeople, formatTimeForPeople } from './field-inputs.ts';
import {
  FIELD_GROUPS,
  FIELD_NAMES,
  FIELD_SPECS,
  fieldSchemas,
  isFieldName,
  type FieldName,
  type FieldSchemas,
  type PermitRulesContext,
} from './permit-fields.ts';
import { catalogueFor, fieldTexts, fill, permitTypeLabel } from './catalogue.ts';
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from './language.ts';
import { PERMIT_TYPES, isPermitType, type PermitType } from './permit-types.ts';

/**
 * The application as a discriminated union on the permit type, and the rules
 * that tie fields together. Drafts (partial, updated field by field by the
 * voice tools) and complete applications (the form, or submit) both go
 * through here, so every channel gives the same answer in the same words.
 */

export interface FieldProblem {
  /** A field name, or the unknown key that was sent. */
  readonly field: string;
  /** One plain sentence the caller or form user can act on. */
  readonly message: string;
}

/** Canonical field values as stored: what the field schemas output. */
export type DraftFields = Partial<Record<FieldName, unknown>>;

const DEFAULT_BOOTHS = 1;

function buildApplicationSchema(f: FieldSchemas, language: Language = DEFAULT_LANGUAGE) {
  const everyPermit = {
    applicantName: f.applicantName,
    businessName: f.businessName,
    entityType: f.entityType,
    contactPhone: f.contactPhone,
    email: f.email.optional(),
    healthDistrict: f.healthDistrict,
    menuItems: f.menuItems,
    servesTcsFoods: f.servesTcsFoods,
    tcsItemCount: f.tcsItemCount.optional(),
    foodPreparation: f.foodPreparation,
    commercialKitchenName: f.commercialKitchenName.optional(),
    commercialKitchenAddress: f.commercialKitchenAddress.optional(),
    certifiedFoodHandler: f.certifiedFoodHandler,
    attestation: f.attestation,
    smsConsent: f.smsConsent,
  };
  const crossFieldRules = (values: DraftFields, ctx: z.RefinementCtx) => {
    for (const problem of [...conflicts(values, language), ...conditionallyMissing(values, language)]) {
      ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
    }
  };
  const temporaryFoodEvent = z
    .object({
      permitType: z.literal('temporary_food_event'),
      ...everyPermit,
      eventName: f.eventName,
      eventAddress: f.eventAddress,
      eventCoordinatorName: f.eventCoordinatorName,
      eventCoordinatorPhone: f.eventCoordinatorPhone,
      eventStartDate: f.eventStartDate,
      eventEndDate: f.eventEndDate,
      dailyOpenTime: f.dailyOpenTime,
      dailyCloseTime: f.dailyCloseTime,
      booths: f.booths.default(DEFAULT_BOOTHS),
    })
    .superRefine(crossFieldRules);
  const mobileFoodUnit = z
    .object({
      permitType: z.literal('mobile_food_unit'),
      ...everyPermit,
      unitType: f.unitType,
      operationMode: f.operationMode,
      commissaryName: f.commissaryName,
      commissaryAddress: f.commissaryAddress,
      licensePlate: f.licensePlate.optional(),
    })
    .superRefine(crossFieldRules);
  const cottageFoodOperation = z
    .object({
      permitType: z.literal('cottage_food_operation'),
      ...everyPermit,
      homeAddress: f.homeAddress,
      salesChannel: f.salesChannel,
      waterSource: f.waterSource,
    })
    .superRefine(crossFieldRules);
  const foodEstablishment = z
    .object({
      permitType: z.literal('food_establishment'),
      ...everyPermit,
      establishmentAddress: f.establishmentAddress,
      openingDate: f.openingDate,
    })
    .superRefine(crossFieldRules);
  const byType = {
    temporary_food_event: temporaryFoodEvent,
    mobile_food_unit: mobileFoodUnit,
    cottage_food_operation: cottageFoodOperation,
    food_establishment: foodEstablishment,
  } as const;
  const application = z.discriminatedUnion('permitType', [
    temporaryFoodEvent,
    mobileFoodUnit,
    cottageFoodOperation,
    foodEstablishment,
  ]);
  return { application, byType };
}

export type PermitApplication = z.output<ReturnType<typeof buildApplicationSchema>['application']>;

/**
 * Two fields that are each fine but contradict each other. The field being
 * answered is the one blamed (and asked for again); without one, the later
 * field of the pair is.
 */
function conflicts(v: DraftFields, language: Language, answering?: FieldName): FieldProblem[] {
  const lines = catalogueFor(language).problems;
  const problems: FieldProblem[] = [];
  const { eventStartDate: start, eventEndDate: end, dailyOpenTime: open, dailyCloseTime: close } = v;
  if (typeof start === 'string' && typeof end === 'string' && end < start) {
    const days = { first: formatDateForPeople(start, language), last: formatDateForPeople(end, language) };
    problems.push(
      answering === 'eventStartDate'
        ? { field: 'eventStartDate', message: fill(lines.startAfterEnd, days) }
        : { field: 'eventEndDate', message: fill(lines.endBeforeStart, days) },
    );
  }
  if (typeof open === 'string' && open === close) {
    const time = { time: formatTimeForPeople(open, language) };
    problems.push(
      answering === 'dailyOpenTime'
        ? { field: 'dailyOpenTime', message: fill(lines.openSameAsClose, time) }
        : { field: 'dailyCloseTime', message: fill(lines.closeSameAsOpen, time) },
    );
  }
  return problems;
}

/** Fields that are required only because of another answer. */
function conditionallyMissing(v: DraftFields, language: Language): FieldProblem[] {
  const needed: FieldName[] = [];
  if (v.servesTcsFoods === true) needed.push('tcsItemCount');
  if (v.foodPreparation === 'commercial_kitchen') needed.push('commercialKitchenName', 'commercialKitchenAddress');
  return needed
    .filter((name) => v[name] === undefined)
    .map((name) => ({ field: name, message: fieldTexts(name, language).ask }));
}

/** Answers that make another field irrelevant; those fields are left out of the application. */
function irrelevantFields(v: DraftFields): FieldName[] {
  const irrelevant: FieldName[] = [];
  if (v.servesTcsFoods !== true) irrelevant.push('tcsItemCount');
  if (v.foodPreparation !== 'commercial_kitchen') irrelevant.push('commercialKitchenName', 'commercialKitchenAddress');
  return irrelevant;
}

export interface DraftUpdate {
  readonly fields: DraftFields;
  readonly accepted: readonly FieldName[];
  readonly cleared: readonly FieldName[];
  readonly problems: readonly FieldProblem[];
}

export type ApplicationCheck =
  | { readonly ok: true; readonly application: PermitApplication }
  | { readonly ok: false; readonly missing: readonly FieldName[]; readonly problems: readonly FieldProblem[] };

export class PermitRules {
  readonly #fields: FieldSchemas;
  readonly #fieldsIn: Readonly<Record<Language, FieldSchemas>>;
  readonly #application: ReturnType<typeof buildApplicationSchema>['application'];
  readonly #fieldOrder: Readonly<Record<PermitType, readonly FieldName[]>>;
  readonly #required: Readonly<Record<PermitType, ReadonlySet<FieldName>>>;
  readonly context: PermitRulesContext;

  constructor(context: PermitRulesContext) {
    if (context.healthDistricts.length === 0) throw new Error('PermitRules needs at least one health district');
    this.context = context;
    const fieldsIn = {} as Record<Language, FieldSchemas>;
    for (const language of LANGUAGES) fieldsIn[language] = fieldSchemas(context, language);
    this.#fieldsIn = fieldsIn;
    this.#fields = fieldsIn[DEFAULT_LANGUAGE];
    const { application, byType } = buildApplicationSchema(this.#fields);
    this.#application = application;
    const rank = (name: FieldName) => FIELD_GROUPS.indexOf(FIELD_SPECS[name].group);
    const fieldOrder = {} as Record<PermitType, FieldName[]>;
    const required = {} as Record<PermitType, Set<FieldName>>;
    for (const type of PERMIT_TYPES) {
      const shape: Record<string, z.ZodType> = byType[type].shape;
      fieldOrder[type] = (Object.keys(shape) as FieldName[]).sort((a, b) => rank(a) - rank(b));
      // Required means the type's schema refuses the field's absence.
      required[type] = new Set(fieldOrder[type].filter((name) => shape[name]?.safeParse(undefined).success === false));
    }
    this.#fieldOrder = fieldOrder;
    this.#required = required;
  }

  /** The complete-application schema: the single source for tool parameter schemas and documentation. */
  get applicationSchema() {
    return this.#application;
  }

  /** The field schemas in English, the tools' language; fieldSchemasIn gives another language's messages. */
  get fieldSchemas(): FieldSchemas {
    return this.#fields;
  }

  fieldSchemasIn(language: Language): FieldSchemas {
    return this.#fieldsIn[language];
  }

  /** The fields of one permit type, in the order a form or a caller goes through them (group by group). */
  fieldsOf(type: PermitType): FieldName[] {
    return [...this.#fieldOrder[type]];
  }

  /** Whether a field must be answered for this type, regardless of other answers. */
  isRequired(type: PermitType, name: FieldName): boolean {
    return this.#required[type].has(name);
  }

  /**
   * Applies a partial update, field by field: each valid value is accepted
   * even when a sibling is rejected, so a caller never has to repeat a good
   * answer. `null` clears a field. Values that contradict an accepted field
   * (an end date before the start) are rejected with the reason. A range
   * ("June 5 to 7", "9 to 5") fills both fields of its pair. Messages are in `language`, whose readers go first.
   */
  updateDraft(
    current: DraftFields,
    answers: Readonly<Record<string, unknown>>,
    language: Language = DEFAULT_LANGUAGE,
  ): DraftUpdate {
    const lines = catalogueFor(language).problems;
    const schemas = this.#fieldsIn[language];
    const patch = spreadRanges(answers, this.context.today(), language);
    const fields: DraftFields = { ...current };
    const accepted: FieldName[] = [];
    const cleared: FieldName[] = [];
    const problems: FieldProblem[] = [];
    // Fields go in schema order: the type first (it decides which fields apply),
    // a start before its end, so the outcome never depends on the order of the keys sent.
    const order = (key: string) => (isFieldName(key) ? FIELD_NAMES.indexOf(key) : FIELD_NAMES.length);
    const keys = Object.keys(patch).sort((a, b) => order(a) - order(b));

    for (const key of keys) {
      const value = patch[key];
      if (!isFieldName(key)) {
        problems.push({ field: key, message: fill(lines.notAField, { key: key.slice(0, 40) }) });
        continue;
      }
      const type = fields.permitType;
      const appliesTo = FIELD_SPECS[key].appliesTo;
      if (isPermitType(type) && appliesTo !== 'all' && appliesTo !== type) {
        problems.push({
          field: key,
          message: fill(lines.notForPermitType, {
            label: fieldTexts(key, language).label,
            permitTypeLower: permitTypeLabel(type, language).toLowerCase(),
          }),
        });
        continue;
      }
      if (value === null) {
        if (fields[key] !== undefined) cleared.push(key);
        fields[key] = undefined;
        continue;
      }
      const parsed = schemas[key].safeParse(value);
      if (!parsed.success) {
        problems.push({ field: key, message: firstMessage(parsed.error, language) });
        continue;
      }
      // Only a contradiction that involves this value rejects it, and the message asks for this field again.
      const conflict = conflicts({ ...fields, [key]: parsed.data }, language, key).find((p) => p.field === key);
      if (conflict) {
        problems.push({ field: key, message: conflict.message });
        continue;
      }
      Object.assign(fields, { [key]: parsed.data });
      accepted.push(key);
      if (key === 'permitType') this.#dropFieldsOfOtherTypes(fields, parsed.data as PermitType, cleared);
    }
    return { fields, accepted, cleared, problems };
  }

  /**
   * What a caller still has to answer for the draft to be submittable: fields
   * not given yet, and given ones that are no longer valid (a date that has
   * passed since it was given).
   */
  missingFields(fields: DraftFields, language: Language = DEFAULT_LANGUAGE): FieldName[] {
    const check = this.checkApplication(fields, language);
    if (check.ok) return [];
    return [...new Set(check.problems.map((p) => p.field).filter(isFieldName))];
  }

  /** Validates a complete application: every field's own rule, then the rules across fields; messages in `language`. */
  checkApplication(answers: DraftFields, language: Language = DEFAULT_LANGUAGE): ApplicationCheck {
    const schemas = this.#fieldsIn[language];
    // A form user may type "June 5 to 7" into the first day and leave the last empty, as a caller may say it.
    const fields = spreadRanges(answers, this.context.today(), language);
    const type = fields.permitType;
    if (!isPermitType(type)) {
      return {
        ok: false,
        missing: ['permitType'],
        problems: [{ field: 'permitType', message: fieldTexts('permitType', language).ask }],
      };
    }
    const missing: FieldName[] = [];
    const problems: FieldProblem[] = [];
    const relevant: DraftFields = {};
    const irrelevant = irrelevantFields(fields);
    for (const name of this.fieldsOf(type)) {
      if (irrelevant.includes(name)) continue;
      const value = fields[name];
      if (value === undefined) {
        if (this.isRequired(type, name)) {
          missing.push(name);
          problems.push({ field: name, message: fieldTexts(name, language).ask });
        }
        continue;
      }
      const parsed = schemas[name].safeParse(value);
      if (parsed.success) relevant[name] = parsed.data;
      else problems.push({ field: name, message: firstMessage(parsed.error, language) });
    }
    // A conditional field that was given but is invalid already has its problem; it is not also missing.
    const conditional = conditionallyMissing(relevant, language);
    for (const problem of conditional.filter((p) => fields[p.field as FieldName] === undefined)) {
      missing.push(problem.field as FieldName);
      problems.push(problem);
    }
    problems.push(...conflicts(relevant, language));
    if (problems.length > 0) return { ok: false, missing, problems };

    const application = this.#application.safeParse(relevant);
    if (!application.success) {
      // Unreachable while the field-by-field checks above mirror the union; kept so a drift shows as a message, not a crash.
      return {
        ok: false,
        missing,
        problems: application.error.issues.map((i) => ({
          field: String(i.path[0] ?? 'permitType'),
          message: i.message,
        })),
      };
    }
    return { ok: true, application: application.data };
  }

  #dropFieldsOfOtherTypes(fields: DraftFields, type: PermitType, cleared: FieldName[]): void {
    for (const name of Object.keys(fields) as FieldName[]) {
      const appliesTo = FIELD_SPECS[name].appliesTo;
      if (appliesTo !== 'all' && appliesTo !== type && fields[name] !== undefined) {
        fields[name] = undefined;
        cleared.push(name);
      }
    }
  }
}

function firstMessage(error: z.ZodError, language: Language): string {
  return error.issues[0]?.message ?? catalogueFor(language).problems.unusable;
}

import { z } from 'zod';
import {
  formatDateForPeople,
  formatTimeForPeople,
  readDateAnswer,
  readPhoneAnswer,
  readTimeAnswer,
  storedPhone,
  type IsoDate,
} from './field-inputs.ts';
import type { DateReading } from './spoken-dates.ts';
import type { PhoneReading } from './spoken-phone.ts';
import type { TimeReading } from './spoken-times.ts';
import {
  catalogueFor,
  fieldTexts,
  fill,
  permitTypeLabel,
  type Catalogue,
  type FieldTextKey,
  type FieldTexts,
} from './catalogue.ts';
import { en } from './catalogues/en.ts';
import { DEFAULT_LANGUAGE, type Language } from './language.ts';
import { PERMIT_TYPES, type PermitType } from './permit-types.ts';
import { hasHiddenCharacter, hiddenCharacterProblem, quotedWords } from './plain-text.ts';

/**
 * Every field of a food-permit application, taken from what county health
 * departments ask on their temporary-event, mobile-unit, cottage-food and
 * establishment forms and cut to what a caller can give in about five
 * minutes: how people see it (label, the sentence that asks for it), whether
 * it is personal data (encrypted at rest, redacted in logs), and its zod schema.
 */

export type FieldKind =
  'text' | 'address' | 'phone' | 'email' | 'date' | 'time' | 'choice' | 'yes-no' | 'list' | 'count' | 'consent';

/** Applicant and business, then the type's own fields (the operation), then food, then the declarations. */
export const FIELD_GROUPS = ['applicant', 'operation', 'food', 'declarations'] as const;
export type FieldGroup = (typeof FIELD_GROUPS)[number];

export interface ChoiceOption {
  readonly value: string;
  readonly label: string;
}

export interface FieldSpec {
  readonly label: string;
  /** One sentence asking for the value; it is the message when the field is missing. */
  readonly ask: string;
  readonly kind: FieldKind;
  readonly personal: boolean;
  /** 'all' or the one permit type the field belongs to. */
  readonly appliesTo: 'all' | PermitType;
  /** Where the field sits when an application is gone through: the form's sections, the agent's order. */
  readonly group: FieldGroup;
  /** Fixed choices; the health district's come from configuration instead. */
  readonly options?: readonly ChoiceOption[];
  /** When the field is needed only because of another answer, says which ("Only if …"). */
  readonly requiredWhen?: string;
  /** A short help text shown with the field on the form. */
  readonly hint?: string;
}

/**
 * How each field is shown and asked comes from the language's catalogue (catalogue.ts); the English texts are kept
 * on the spec too, for the channels that speak English only (the staff console, the voice agent's tool schemas).
 */
function spec(name: FieldTextKey, s: Pick<FieldSpec, 'kind' | 'personal' | 'appliesTo' | 'group'>): FieldSpec {
  const texts = fieldTexts(name, DEFAULT_LANGUAGE);
  const options = name === 'permitType' ? en.permitTypes : texts.options;
  return {
    ...s,
    label: texts.label,
    ask: texts.ask,
    ...(options === undefined ? {} : { options: choiceOptions(options) }),
    ...(texts.requiredWhen === undefined ? {} : { requiredWhen: texts.requiredWhen }),
    ...(texts.hint === undefined ? {} : { hint: texts.hint }),
  };
}

function choiceOptions(labels: Readonly<Record<string, string>>): ChoiceOption[] {
  return Object.entries(labels).map(([value, label]) => ({ value, label }));
}

/** Choices, value → English label; the values are what is stored and what the model's tools send. */
const CHOICES = en.fields;

export const FIELD_SPECS = {
  permitType: spec('permitType', { kind: 'choice', personal: false, appliesTo: 'all', group: 'applicant' }),
  applicantName: spec('applicantName', { kind: 'text', personal: true, appliesTo: 'all', group: 'applicant' }),
  businessName: spec('businessName', { kind: 'text', personal: true, appliesTo: 'all', group: 'applicant' }),
  entityType: spec('entityType', { kind: 'choice', personal: false, appliesTo: 'all', group: 'applicant' }),
  contactPhone: spec('contactPhone', { kind: 'phone', personal: true, appliesTo: 'all', group: 'applicant' }),
  email: spec('email', { kind: 'email', personal: true, appliesTo: 'all', group: 'applicant' }),
  healthDistrict: spec('healthDistrict', { kind: 'choice', personal: false, appliesTo: 'all', group: 'applicant' }),
  menuItems: spec('menuItems', { kind: 'list', personal: true, appliesTo: 'all', group: 'food' }),
  servesTcsFoods: spec('servesTcsFoods', { kind: 'yes-no', personal: false, appliesTo: 'all', group: 'food' }),
  tcsItemCount: spec('tcsItemCount', { kind: 'count', personal: false, appliesTo: 'all', group: 'food' }),
  foodPreparation: spec('foodPreparation', { kind: 'choice', personal: false, appliesTo: 'all', group: 'food' }),
  commercialKitchenName: spec('commercialKitchenName', {
    kind: 'text',
    personal: true,
    appliesTo: 'all',
    group: 'food',
  }),
  commercialKitchenAddress: spec('commercialKitchenAddress', {
    kind: 'address',
    personal: true,
    appliesTo: 'all',
    group: 'food',
  }),
  certifiedFoodHandler: spec('certifiedFoodHandler', { kind: 'text', personal: true, appliesTo: 'all', group: 'food' }),
  attestation: spec('attestation', { kind: 'consent', personal: false, appliesTo: 'all', group: 'declarations' }),
  smsConsent: spec('smsConsent', { kind: 'yes-no', personal: false, appliesTo: 'all', group: 'declarations' }),
  eventName: spec('eventName', { kind: 'text', personal: true, appliesTo: 'temporary_food_event', group: 'operation' }),
  eventAddress: spec('eventAddress', {
    kind: 'address',
    personal: true,
    appliesTo: 'temporary_food_event',
    group: 'operation',
  }),
  eventCoordinatorName: spec('eventCoordinatorName', {
    kind: 'text',
    personal: true,
    appliesTo: 'temporary_food_event',
    group: 'operation',
  }),
  eventCoordinatorPhone: spec('eventCoordinatorPhone', {
    kind: 'phone',
    personal: true,
    appliesTo: 'temporary_food_event',
    group: 'operation',
  }),
  eventStartDate: spec('eventStartDate', {
    kind: 'date',
    personal: false,
    appliesTo: 'temporary_food_event',
    group: 'operation',
  }),
  eventEndDate: spec('eventEndDate', {
    kind: 'date',
    personal: false,
    appliesTo: 'temporary_food_event',
    group: 'operation',
  }),
  dailyOpenTime: spec('dailyOpenTime', {
    kind: 'time',
    personal: false,
    appliesTo: 'temporary_food_event',
    group: 'operation',
  }),
  dailyCloseTime: spec('dailyCloseTime', {
    kind: 'time',
    personal: false,
    appliesTo: 'temporary_food_event',
    group: 'operation',
  }),
  booths: spec('booths', { kind: 'count', personal: false, appliesTo: 'temporary_food_event', group: 'operation' }),
  unitType: spec('unitType', { kind: 'choice', personal: false, appliesTo: 'mobile_food_unit', group: 'operation' }),
  operationMode: spec('operationMode', {
    kind: 'choice',
    personal: false,
    appliesTo: 'mobile_food_unit',
    group: 'operation',
  }),
  commissaryName: spec('commissaryName', {
    kind: 'text',
    personal: true,
    appliesTo: 'mobile_food_unit',
    group: 'operation',
  }),
  commissaryAddress: spec('commissaryAddress', {
    kind: 'address',
    personal: true,
    appliesTo: 'mobile_food_unit',
    group: 'operation',
  }),
  licensePlate: spec('licensePlate', {
    kind: 'text',
    personal: true,
    appliesTo: 'mobile_food_unit',
    group: 'operation',
  }),
  homeAddress: spec('homeAddress', {
    kind: 'address',
    personal: true,
    appliesTo: 'cottage_food_operation',
    group: 'operation',
  }),
  salesChannel: spec('salesChannel', {
    kind: 'choice',
    personal: false,
    appliesTo: 'cottage_food_operation',
    group: 'operation',
  }),
  waterSource: spec('waterSource', {
    kind: 'choice',
    personal: false,
    appliesTo: 'cottage_food_operation',
    group: 'operation',
  }),
  establishmentAddress: spec('establishmentAddress', {
    kind: 'address',
    personal: true,
    appliesTo: 'food_establishment',
    group: 'operation',
  }),
  openingDate: spec('openingDate', {
    kind: 'date',
    personal: false,
    appliesTo: 'food_establishment',
    group: 'operation',
  }),
} as const satisfies Record<FieldTextKey, FieldSpec>;

export type FieldName = keyof typeof FIELD_SPECS;
export const FIELD_NAMES = Object.keys(FIELD_SPECS) as FieldName[];

export function isFieldName(name: string): name is FieldName {
  return Object.hasOwn(FIELD_SPECS, name);
}

/** Fields whose values are personal data: encrypted at rest, never logged. */
export const PERSONAL_FIELDS: readonly FieldName[] = FIELD_NAMES.filter((name) => FIELD_SPECS[name].personal);

export interface PermitRulesContext {
  readonly healthDistricts: readonly string[];
  /** Today in the department's time zone; read at validation time, so one schema serves for days. */
  readonly today: () => IsoDate;
}

const MAX_TEXT_LENGTH = 200;
const MAX_ADDRESS_LENGTH = 300;
const MAX_MENU_ITEMS = 40;
const MAX_MENU_ITEM_LENGTH = 120;
const MAX_BOOTHS = 50;
const MAX_TCS_ITEMS = 200;

/** Builds one language's schemas: its texts, its lines, and the readers tried in its order. */
class SchemaBuilder {
  readonly language: Language;
  readonly lines: Catalogue['problems'];

  constructor(language: Language) {
    this.language = language;
    this.lines = catalogueFor(language).problems;
  }

  texts(name: FieldName): FieldTexts {
    return fieldTexts(name, this.language);
  }

  /** The missing-value message is the field's question; anything else present but wrong gets `invalid`. */
  messages(name: FieldName, invalid: string) {
    const missing = this.texts(name).ask;
    return {
      error: (issue: { input?: unknown }) => (issue.input === undefined || issue.input === null ? missing : invalid),
    };
  }

  described<S extends z.ZodType>(schema: S, name: FieldName): S {
    const { label, ask } = this.texts(name);
    return schema.meta({ title: label, description: ask });
  }

  said(value: string): string {
    return quotedWords(value) ?? this.lines.that;
  }

  text(name: FieldName, maxLength = MAX_TEXT_LENGTH) {
    const { ask, label } = this.texts(name);
    return z
      .string(this.messages(name, ask))
      .trim()
      .refine((value) => !hasHiddenCharacter(value), { error: hiddenCharacterProblem(label, this.language) })
      .min(1, { error: ask })
      .max(maxLength, { error: fill(this.lines.textTooLong, { label, max: maxLength }) })
      .meta({ title: label, description: ask });
  }

  phone(name: FieldName) {
    const { ask, label } = this.texts(name);
    return z
      .string(this.messages(name, ask))
      .transform((value, ctx) => {
        const reading = readPhoneAnswer(value, this.language);
        if (reading.kind === 'phone') return storedPhone(reading);
        ctx.addIssue({ code: 'custom', message: this.phoneProblem(label, reading) });
        return z.NEVER;
      })
      .meta({
        title: label,
        description: `${ask} Any common format, spoken digits too; stored as +1XXXXXXXXXX, with ;ext=N when an extension is given.`,
      });
  }

  phoneProblem(label: string, reading: Exclude<PhoneReading, { kind: 'phone' }>): string {
    if (reading.kind === 'not-north-american') {
      const country = reading.country === undefined ? undefined : COUNTRY_NAMES[this.language].of(reading.country);
      return fill(this.lines.phoneOutsideNorthAmerica, { label, where: country === undefined ? '' : ` (${country})` });
    }
    const heard = reading.digitsHeard.length;
    const labelLower = label.toLowerCase();
    if (heard === 0) return fill(this.lines.phoneNoneHeard, { labelLower });
    return fill(heard === 1 ? this.lines.phoneOneDigitHeard : this.lines.phoneDigitsHeard, {
      labelLower,
      count: heard,
    });
  }

  date(name: FieldName, ctx: PermitRulesContext) {
    const { ask, label } = this.texts(name);
    return z
      .string(this.messages(name, ask))
      .transform((value, check) => {
        const today = ctx.today();
        const reading = readDateAnswer(value, today, undefined, this.language);
        const problem = this.dateProblem(label, value, reading, today);
        if (problem !== undefined || reading.kind !== 'date') {
          check.addIssue({
            code: 'custom',
            message: problem ?? fill(this.lines.dateOneDay, { labelLower: label.toLowerCase() }),
          });
          return z.NEVER;
        }
        return reading.date;
      })
      .meta({
        title: label,
        description: `${ask} ISO YYYY-MM-DD preferred; spoken dates ("March 3rd", "next Friday", "el tres de marzo") are understood.`,
      });
  }

  dateProblem(label: string, said: string, reading: DateReading, today: IsoDate): string | undefined {
    const day = (date: IsoDate) => formatDateForPeople(date, this.language);
    const labelLower = label.toLowerCase();
    switch (reading.kind) {
      case 'date':
        return reading.date < today ? fill(this.lines.datePast, { labelLower, date: day(reading.date) }) : undefined;
      case 'range':
        // Reached only for a field without a partner to fill (a range for the event's days fills both of them).
        return fill(this.lines.dateRange, { labelLower, start: day(reading.start), end: day(reading.end) });
      case 'weekday-mismatch':
        // The weekdays are named from the dates, so they are in the page's language whichever reader read them.
        return fill(this.lines.dateWeekdayMismatch, {
          date: day(reading.date),
          dateWeekday: weekdayName(reading.date, this.language),
          saidWeekday: weekdayName(reading.saidWeekdayNearDate, this.language),
          day: dayOfMonth(reading.date, this.language),
          otherDay: dayOfMonth(reading.saidWeekdayNearDate, this.language),
        });
      case 'unreadable':
        return fill(this.lines.dateUnreadable, { said: this.said(said) });
    }
  }

  time(name: FieldName) {
    const { ask, label } = this.texts(name);
    return z
      .string(this.messages(name, ask))
      .transform((value, check) => {
        const reading = readTimeAnswer(value, this.language);
        if (reading.kind === 'time') return reading.time;
        check.addIssue({ code: 'custom', message: this.timeProblem(label, value, reading) });
        return z.NEVER;
      })
      .meta({
        title: label,
        description: `${ask} 24-hour HH:MM preferred; "9am", "nine in the morning" and "half past six in the evening" are understood.`,
      });
  }

  timeProblem(label: string, said: string, reading: Exclude<TimeReading, { kind: 'time' }>): string {
    switch (reading.kind) {
      case 'needs-meridiem': {
        const clock =
          reading.minute === 0 ? String(reading.hour) : `${reading.hour}:${String(reading.minute).padStart(2, '0')}`;
        return fill(this.lines.timeNeedsMeridiem, { clock });
      }
      case 'range':
        return fill(this.lines.timeRange, {
          labelLower: label.toLowerCase(),
          open: formatTimeForPeople(reading.open, this.language),
          close: formatTimeForPeople(reading.close, this.language),
        });
      case 'unreadable':
        return fill(this.lines.timeUnreadable, { said: this.said(said) });
    }
  }

  choice<const Values extends string>(name: FieldName, values: readonly Values[]) {
    // z.enum takes a non-empty tuple; every choice field has options.
    return this.described(z.enum(values as [Values, ...Values[]], this.messages(name, this.texts(name).ask)), name);
  }

  yesNo(name: FieldName) {
    const { ask, label } = this.texts(name);
    return z
      .boolean(this.messages(name, ask))
      .meta({ title: label, description: `${ask} true for yes, false for no.` });
  }

  count(name: FieldName, max: number) {
    const { ask, label } = this.texts(name);
    const invalid = fill(this.lines.countRange, { label: label.replace(/^¿|\?$/g, ''), max });
    return z
      .number(this.messages(name, invalid))
      .int({ error: invalid })
      .min(1, { error: invalid })
      .max(max, { error: invalid })
      .meta({ title: label, description: ask });
  }

  menuItems() {
    const { ask, label } = this.texts('menuItems');
    const lines = this.lines;
    return z
      .array(
        z
          .string({ error: lines.menuItemNotText })
          .trim()
          .refine((value) => !hasHiddenCharacter(value), {
            error: hiddenCharacterProblem(lines.menuItemWhat, this.language),
          })
          .min(1, { error: lines.menuItemEmpty })
          .max(MAX_MENU_ITEM_LENGTH, { error: fill(lines.menuItemTooLong, { max: MAX_MENU_ITEM_LENGTH }) }),
        this.messages('menuItems', ask),
      )
      .min(1, { error: ask })
      .max(MAX_MENU_ITEMS, { error: fill(lines.menuTooLong, { max: MAX_MENU_ITEMS }) })
      .meta({ title: label, description: ask });
  }
}

const COUNTRY_NAMES: Readonly<Record<Language, Intl.DisplayNames>> = {
  en: new Intl.DisplayNames(['en'], { type: 'region' }),
  es: new Intl.DisplayNames(['es'], { type: 'region' }),
};

const ORDINAL_SUFFIXES = new Map([
  ['one', 'st'],
  ['two', 'nd'],
  ['few', 'rd'],
  ['other', 'th'],
]);
const ORDINAL_RULES = new Intl.PluralRules('en-US', { type: 'ordinal' });

/** The day of the month as a date is referred to: "5th" ("Saturday the 5th"), "5" ("el sábado 5"). */
function dayOfMonth(date: IsoDate, language: Language): string {
  const n = Number(date.slice(8));
  if (language === 'es') return String(n);
  return `${n}${ORDINAL_SUFFIXES.get(ORDINAL_RULES.select(n)) ?? 'th'}`;
}

const WEEKDAY_NAMES: Readonly<Record<Language, readonly string[]>> = {
  en: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
  es: ['domingo', 'lunes', 'martes', 'miércoles', 'jueves', 'viernes', 'sábado'],
};

function weekdayName(date: IsoDate, language: Language): string {
  return WEEKDAY_NAMES[language][new Date(`${date}T12:00:00Z`).getUTCDay()] ?? '';
}

/** The values of a choice field with fixed options (their keys in the catalogue). */
function choiceValues<const Options extends Readonly<Record<string, string>>>(options: Options) {
  return Object.keys(options) as Extract<keyof Options, string>[];
}

/**
 * The zod schema of each field: input as the form or the model gives it, output canonical. `language` is the one
 * messages come back in and whose readers are tried first; answers in the other language are still understood.
 */
export function fieldSchemas(ctx: PermitRulesContext, language: Language = DEFAULT_LANGUAGE) {
  const b = new SchemaBuilder(language);
  const districts = ctx.healthDistricts as [string, ...string[]];
  return {
    permitType: b.choice('permitType', PERMIT_TYPES),
    applicantName: b.text('applicantName'),
    businessName: b.text('businessName'),
    entityType: b.choice('entityType', choiceValues(CHOICES.entityType.options)),
    contactPhone: b.phone('contactPhone'),
    email: b.described(z.email(b.messages('email', b.lines.emailInvalid)), 'email'),
    healthDistrict: b.described(
      z.enum(districts, b.messages('healthDistrict', b.texts('healthDistrict').ask)),
      'healthDistrict',
    ),
    menuItems: b.menuItems(),
    servesTcsFoods: b.yesNo('servesTcsFoods'),
    tcsItemCount: b.count('tcsItemCount', MAX_TCS_ITEMS),
    foodPreparation: b.choice('foodPreparation', choiceValues(CHOICES.foodPreparation.options)),
    commercialKitchenName: b.text('commercialKitchenName'),
    commercialKitchenAddress: b.text('commercialKitchenAddress', MAX_ADDRESS_LENGTH),
    certifiedFoodHandler: b.text('certifiedFoodHandler'),
    attestation: z.literal(true, { error: b.texts('attestation').ask }).meta({
      title: b.texts('attestation').label,
      description: `${b.texts('attestation').ask} Only true, and only after the applicant said yes.`,
    }),
    smsConsent: b.yesNo('smsConsent'),

    eventName: b.text('eventName'),
    eventAddress: b.text('eventAddress', MAX_ADDRESS_LENGTH),
    eventCoordinatorName: b.text('eventCoordinatorName'),
    eventCoordinatorPhone: b.phone('eventCoordinatorPhone'),
    eventStartDate: b.date('eventStartDate', ctx),
    eventEndDate: b.date('eventEndDate', ctx),
    dailyOpenTime: b.time('dailyOpenTime'),
    dailyCloseTime: b.time('dailyCloseTime'),
    booths: b.count('booths', MAX_BOOTHS),

    unitType: b.choice('unitType', choiceValues(CHOICES.unitType.options)),
    operationMode: b.choice('operationMode', choiceValues(CHOICES.operationMode.options)),
    commissaryName: b.text('commissaryName'),
    commissaryAddress: b.text('commissaryAddress', MAX_ADDRESS_LENGTH),
    licensePlate: b.text('licensePlate'),

    homeAddress: b.text('homeAddress', MAX_ADDRESS_LENGTH),
    salesChannel: b.choice('salesChannel', choiceValues(CHOICES.salesChannel.options)),
    waterSource: b.choice('waterSource', choiceValues(CHOICES.waterSource.options)),

    establishmentAddress: b.text('establishmentAddress', MAX_ADDRESS_LENGTH),
    openingDate: b.date('openingDate', ctx),
  } satisfies Record<FieldName, z.ZodType>;
}

export type FieldSchemas = ReturnType<typeof fieldSchemas>;

/** The choices a field offers in this deployment (districts come from configuration), labelled in `language`. */
export function fieldOptions(
  name: FieldName,
  ctx: PermitRulesContext,
  language: Language = DEFAULT_LANGUAGE,
): readonly ChoiceOption[] {
  if (name === 'healthDistrict') return ctx.healthDistricts.map((d) => ({ value: d, label: d }));
  if (name === 'permitType')
    return PERMIT_TYPES.map((type) => ({ value: type, label: permitTypeLabel(type, language) }));
  const options = fieldTexts(name, language).options;
  return options === undefined ? [] : choiceOptions(options);
}

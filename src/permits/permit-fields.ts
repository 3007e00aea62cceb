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
import { PERMIT_TYPE_LABELS, type PermitType } from './permit-types.ts';
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

/** Choices, value → label; the values are what is stored and what the model's tools send. */
const ENTITY_TYPES = {
  individual: 'Individual or sole proprietor',
  partnership: 'Partnership',
  llc: 'LLC',
  corporation: 'Corporation',
  nonprofit: 'Nonprofit',
} as const;
const FOOD_PREPARATION = { on_site: 'All on site', commercial_kitchen: 'At a permitted commercial kitchen' } as const;
const UNIT_TYPES = { truck: 'Truck', trailer: 'Trailer', cart: 'Cart' } as const;
const OPERATION_MODES = { route: 'On a route', single_location: 'At one location', events: 'At events' } as const;
const SALES_CHANNELS = {
  direct_only: 'Directly to customers only',
  direct_and_stores: 'Directly and through stores',
} as const;
const WATER_SOURCES = { public: 'Public water supply', private_well: 'Private well' } as const;

function choiceOptions(labels: Readonly<Record<string, string>>): ChoiceOption[] {
  return Object.entries(labels).map(([value, label]) => ({ value, label }));
}

const spec = (s: FieldSpec): FieldSpec => s;

export const FIELD_SPECS = {
  permitType: spec({
    label: 'Permit type',
    ask: 'Please choose the type of permit: temporary food event, mobile food unit, cottage food operation or food establishment.',
    kind: 'choice',
    personal: false,
    appliesTo: 'all',
    group: 'applicant',
    options: choiceOptions(PERMIT_TYPE_LABELS),
  }),
  applicantName: spec({
    label: "Applicant's full name",
    ask: 'Please give the full name of the person applying.',
    kind: 'text',
    personal: true,
    appliesTo: 'all',
    group: 'applicant',
  }),
  businessName: spec({
    label: 'Business name (as on the booth, truck or sign)',
    ask: 'Please give the business name as it appears on the booth, truck or sign.',
    kind: 'text',
    personal: true,
    appliesTo: 'all',
    group: 'applicant',
  }),
  entityType: spec({
    label: 'Type of business entity',
    ask: 'Please say whether the business is an individual or sole proprietor, a partnership, an LLC, a corporation or a nonprofit.',
    kind: 'choice',
    personal: false,
    appliesTo: 'all',
    group: 'applicant',
    options: choiceOptions(ENTITY_TYPES),
  }),
  contactPhone: spec({
    label: 'Contact phone',
    ask: 'Please give a phone number where the health department can reach you.',
    kind: 'phone',
    personal: true,
    appliesTo: 'all',
    group: 'applicant',
  }),
  email: spec({
    label: 'Email',
    ask: 'Please give an email address, or leave it out.',
    kind: 'email',
    personal: true,
    appliesTo: 'all',
    group: 'applicant',
  }),
  healthDistrict: spec({
    label: 'Health district',
    ask: 'Please choose the health district where you will operate.',
    kind: 'choice',
    personal: false,
    appliesTo: 'all',
    group: 'applicant',
  }),
  menuItems: spec({
    label: 'Menu items (one per line)',
    ask: 'Please list the food and drinks you will serve.',
    kind: 'list',
    personal: true,
    appliesTo: 'all',
    group: 'food',
  }),
  servesTcsFoods: spec({
    label:
      'Do you serve foods that need time or temperature control (for example meat, dairy, cooked rice, cut melons)?',
    ask: 'Please say whether you serve foods that must be kept hot or cold for safety, such as meat, dairy or cooked rice.',
    kind: 'yes-no',
    personal: false,
    appliesTo: 'all',
    group: 'food',
  }),
  tcsItemCount: spec({
    label: 'How many of your menu items need time or temperature control?',
    ask: 'Please say how many of your menu items must be kept hot or cold for safety.',
    kind: 'count',
    personal: false,
    appliesTo: 'all',
    group: 'food',
    requiredWhen: 'Only if you serve such foods.',
  }),
  foodPreparation: spec({
    label: 'Where is the food prepared?',
    ask: 'Please say whether all food is prepared on site or at a permitted commercial kitchen.',
    kind: 'choice',
    personal: false,
    appliesTo: 'all',
    group: 'food',
    options: choiceOptions(FOOD_PREPARATION),
  }),
  commercialKitchenName: spec({
    label: 'Commercial kitchen name',
    ask: 'Please give the name of the commercial kitchen where the food is prepared.',
    kind: 'text',
    personal: true,
    appliesTo: 'all',
    group: 'food',
    requiredWhen: 'Only if food is prepared at a commercial kitchen.',
  }),
  commercialKitchenAddress: spec({
    label: 'Commercial kitchen address',
    ask: 'Please give the street address of the commercial kitchen.',
    kind: 'address',
    personal: true,
    appliesTo: 'all',
    group: 'food',
    requiredWhen: 'Only if food is prepared at a commercial kitchen.',
  }),
  certifiedFoodHandler: spec({
    label: 'Certified food handler or manager (name)',
    ask: 'Please give the name of the certified food handler or food manager.',
    kind: 'text',
    personal: true,
    appliesTo: 'all',
    group: 'food',
  }),
  attestation: spec({
    label: 'I confirm the information is true and that health inspectors may enter to inspect.',
    ask: 'Please confirm that the information is true and that health inspectors may enter to inspect.',
    kind: 'consent',
    personal: false,
    appliesTo: 'all',
    group: 'declarations',
  }),
  smsConsent: spec({
    label: 'Send me a text message with my reference number',
    ask: 'Please say whether we may send you a text message with your reference number.',
    kind: 'yes-no',
    personal: false,
    appliesTo: 'all',
    group: 'declarations',
  }),

  eventName: spec({
    label: 'Event name (full)',
    ask: 'Please give the full name of the event.',
    kind: 'text',
    personal: true,
    appliesTo: 'temporary_food_event',
    group: 'operation',
  }),
  eventAddress: spec({
    label: 'Event address',
    ask: 'Please give the street address of the event.',
    kind: 'address',
    personal: true,
    appliesTo: 'temporary_food_event',
    group: 'operation',
  }),
  eventCoordinatorName: spec({
    label: 'Event coordinator name',
    ask: "Please give the event coordinator's name.",
    kind: 'text',
    personal: true,
    appliesTo: 'temporary_food_event',
    group: 'operation',
  }),
  eventCoordinatorPhone: spec({
    label: 'Event coordinator phone',
    ask: "Please give the event coordinator's phone number.",
    kind: 'phone',
    personal: true,
    appliesTo: 'temporary_food_event',
    group: 'operation',
  }),
  eventStartDate: spec({
    label: 'First day of the event',
    ask: 'Please give the first day of the event.',
    kind: 'date',
    personal: false,
    appliesTo: 'temporary_food_event',
    group: 'operation',
  }),
  eventEndDate: spec({
    label: 'Last day of the event',
    ask: 'Please give the last day of the event.',
    kind: 'date',
    personal: false,
    appliesTo: 'temporary_food_event',
    group: 'operation',
  }),
  dailyOpenTime: spec({
    label: 'Opening time each day',
    ask: 'Please give the time you open each day, for example 9 AM.',
    kind: 'time',
    personal: false,
    appliesTo: 'temporary_food_event',
    group: 'operation',
  }),
  dailyCloseTime: spec({
    label: 'Closing time each day',
    ask: 'Please give the time you close each day, for example 6 PM.',
    kind: 'time',
    personal: false,
    appliesTo: 'temporary_food_event',
    group: 'operation',
  }),
  booths: spec({
    label: 'Number of booths',
    ask: 'Please say how many booths you will run.',
    kind: 'count',
    personal: false,
    appliesTo: 'temporary_food_event',
    group: 'operation',
    hint: 'Leave empty for one booth.',
  }),

  unitType: spec({
    label: 'Type of unit',
    ask: 'Please say whether the unit is a truck, a trailer or a cart.',
    kind: 'choice',
    personal: false,
    appliesTo: 'mobile_food_unit',
    group: 'operation',
    options: choiceOptions(UNIT_TYPES),
  }),
  operationMode: spec({
    label: 'How the unit operates',
    ask: 'Please say whether the unit runs a route, stays at one location, or serves at events.',
    kind: 'choice',
    personal: false,
    appliesTo: 'mobile_food_unit',
    group: 'operation',
    options: choiceOptions(OPERATION_MODES),
  }),
  commissaryName: spec({
    label: 'Commissary name',
    ask: 'Please give the name of the commissary the unit works from.',
    kind: 'text',
    personal: true,
    appliesTo: 'mobile_food_unit',
    group: 'operation',
  }),
  commissaryAddress: spec({
    label: 'Commissary address',
    ask: 'Please give the street address of the commissary.',
    kind: 'address',
    personal: true,
    appliesTo: 'mobile_food_unit',
    group: 'operation',
  }),
  licensePlate: spec({
    label: 'License plate',
    ask: "Please give the unit's license plate, or leave it out.",
    kind: 'text',
    personal: true,
    appliesTo: 'mobile_food_unit',
    group: 'operation',
  }),

  homeAddress: spec({
    label: 'Home address',
    ask: 'Please give the address of the home where the food is made.',
    kind: 'address',
    personal: true,
    appliesTo: 'cottage_food_operation',
    group: 'operation',
  }),
  salesChannel: spec({
    label: 'Where you sell',
    ask: 'Please say whether you sell only directly to customers, or also through stores.',
    kind: 'choice',
    personal: false,
    appliesTo: 'cottage_food_operation',
    group: 'operation',
    options: choiceOptions(SALES_CHANNELS),
  }),
  waterSource: spec({
    label: 'Water source',
    ask: 'Please say whether your water comes from a public supply or a private well.',
    kind: 'choice',
    personal: false,
    appliesTo: 'cottage_food_operation',
    group: 'operation',
    options: choiceOptions(WATER_SOURCES),
  }),

  establishmentAddress: spec({
    label: 'Establishment address',
    ask: 'Please give the street address of the establishment.',
    kind: 'address',
    personal: true,
    appliesTo: 'food_establishment',
    group: 'operation',
  }),
  openingDate: spec({
    label: 'Anticipated opening date',
    ask: 'Please give the date you expect to open.',
    kind: 'date',
    personal: false,
    appliesTo: 'food_establishment',
    group: 'operation',
  }),
} as const satisfies Record<string, FieldSpec>;

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

/** The missing-value message is the field's question; anything else present but wrong gets `invalid`. */
function messages(name: FieldName, invalid: string) {
  const missing = FIELD_SPECS[name].ask;
  return {
    error: (issue: { input?: unknown }) => (issue.input === undefined || issue.input === null ? missing : invalid),
  };
}

function described(schema: z.ZodType, name: FieldName) {
  return schema.meta({ title: FIELD_SPECS[name].label, description: FIELD_SPECS[name].ask });
}

function text(name: FieldName, maxLength = MAX_TEXT_LENGTH) {
  const { ask, label } = FIELD_SPECS[name];
  return z
    .string(messages(name, ask))
    .trim()
    .refine((value) => !hasHiddenCharacter(value), { error: hiddenCharacterProblem(label) })
    .min(1, { error: ask })
    .max(maxLength, { error: `${label} is too long; please keep it to ${maxLength} characters or fewer.` })
    .meta({ title: label, description: ask });
}

function phone(name: FieldName) {
  const { ask, label } = FIELD_SPECS[name];
  return z
    .string(messages(name, ask))
    .transform((value, ctx) => {
      const reading = readPhoneAnswer(value);
      if (reading.kind === 'phone') return storedPhone(reading);
      ctx.addIssue({ code: 'custom', message: phoneProblem(label, reading) });
      return z.NEVER;
    })
    .meta({
      title: label,
      description: `${ask} Any common format, spoken digits too; stored as +1XXXXXXXXXX, with ;ext=N when an extension is given.`,
    });
}

function phoneProblem(label: string, reading: Exclude<PhoneReading, { kind: 'phone' }>): string {
  if (reading.kind === 'not-north-american') {
    const country = reading.country === undefined ? undefined : COUNTRY_NAMES.of(reading.country);
    const where = country === undefined ? '' : ` (${country})`;
    return `${label} looks like a number outside the US and Canada${where}, and we can only take US and Canadian numbers; please give one with its area code.`;
  }
  const heard = reading.digitsHeard.length;
  return heard === 0
    ? `We did not hear a phone number for ${label.toLowerCase()}; please give all ten digits, area code first.`
    : `We heard ${heard} ${heard === 1 ? 'digit' : 'digits'} for ${label.toLowerCase()}, and a US number has ten; please give all ten digits, area code first.`;
}

const COUNTRY_NAMES = new Intl.DisplayNames(['en'], { type: 'region' });

function date(name: FieldName, ctx: PermitRulesContext) {
  const { ask, label } = FIELD_SPECS[name];
  return z
    .string(messages(name, ask))
    .transform((value, check) => {
      const today = ctx.today();
      const reading = readDateAnswer(value, today);
      const problem = dateProblem(label, value, reading, today);
      if (problem !== undefined || reading.kind !== 'date') {
        check.addIssue({ code: 'custom', message: problem ?? `Please give ${label.toLowerCase()} as one day.` });
        return z.NEVER;
      }
      return reading.date;
    })
    .meta({
      title: label,
      description: `${ask} ISO YYYY-MM-DD preferred; spoken dates ("March 3rd", "next Friday", "el tres de marzo") are understood.`,
    });
}

function dateProblem(label: string, said: string, reading: DateReading, today: IsoDate): string | undefined {
  switch (reading.kind) {
    case 'date':
      return reading.date < today
        ? `The ${label.toLowerCase()}, ${formatDateForPeople(reading.date)}, is in the past; please give a date from today on.`
        : undefined;
    case 'range':
      // Reached only for a field without a partner to fill (a range for the event's days fills both of them).
      return `We heard a range, ${formatDateForPeople(reading.start)} to ${formatDateForPeople(reading.end)}; the ${label.toLowerCase()} is one day, so please give just that day.`;
    case 'weekday-mismatch': {
      const day = Number(reading.date.slice(8));
      const other = Number(reading.saidWeekdayNearDate.slice(8));
      return `${formatDateForPeople(reading.date)} is a ${reading.dateWeekday}, not a ${reading.said}; did you mean ${reading.dateWeekday} the ${ordinal(day)} or ${reading.said} the ${ordinal(other)}?`;
    }
    case 'unreadable':
      return `We could not read ${quotedWords(said) ?? 'that'} as a date; please give a date such as March 3, 2027 or 03/03/2027.`;
  }
}

function time(name: FieldName) {
  const { ask, label } = FIELD_SPECS[name];
  return z
    .string(messages(name, ask))
    .transform((value, check) => {
      const reading = readTimeAnswer(value);
      if (reading.kind === 'time') return reading.time;
      check.addIssue({ code: 'custom', message: timeProblem(label, value, reading) });
      return z.NEVER;
    })
    .meta({
      title: label,
      description: `${ask} 24-hour HH:MM preferred; "9am", "nine in the morning" and "half past six in the evening" are understood.`,
    });
}

function timeProblem(label: string, said: string, reading: Exclude<TimeReading, { kind: 'time' }>): string {
  switch (reading.kind) {
    case 'needs-meridiem': {
      const clock =
        reading.minute === 0 ? String(reading.hour) : `${reading.hour}:${String(reading.minute).padStart(2, '0')}`;
      return `We heard ${clock} without morning or evening; please say ${clock} in the morning or ${clock} in the evening.`;
    }
    case 'range':
      return `We heard ${formatTimeForPeople(reading.open)} to ${formatTimeForPeople(reading.close)}; the ${label.toLowerCase()} is one time, so please give just that time.`;
    case 'unreadable':
      return `We could not read ${quotedWords(said) ?? 'that'} as a time; please say it like 9 in the morning or 6:30 in the evening.`;
  }
}

const ORDINAL_SUFFIXES = new Map([
  ['one', 'st'],
  ['two', 'nd'],
  ['few', 'rd'],
  ['other', 'th'],
]);
const ORDINAL_RULES = new Intl.PluralRules('en-US', { type: 'ordinal' });

/** 1 → "1st", 22 → "22nd", 13 → "13th". */
function ordinal(n: number): string {
  return `${n}${ORDINAL_SUFFIXES.get(ORDINAL_RULES.select(n)) ?? 'th'}`;
}

function choice<const Labels extends Readonly<Record<string, string>>>(name: FieldName, labels: Labels) {
  const values = Object.keys(labels) as [Extract<keyof Labels, string>, ...Extract<keyof Labels, string>[]];
  return described(z.enum(values, messages(name, FIELD_SPECS[name].ask)), name) as z.ZodEnum<{
    [V in Extract<keyof Labels, string>]: V;
  }>;
}

function yesNo(name: FieldName) {
  return z
    .boolean(messages(name, FIELD_SPECS[name].ask))
    .meta({ title: FIELD_SPECS[name].label, description: `${FIELD_SPECS[name].ask} true for yes, false for no.` });
}

function count(name: FieldName, max: number) {
  const { ask, label } = FIELD_SPECS[name];
  const invalid = `${label.replace(/\?$/, '')}: please give a whole number from 1 to ${max}.`;
  return z
    .number(messages(name, invalid))
    .int({ error: invalid })
    .min(1, { error: invalid })
    .max(max, { error: invalid })
    .meta({ title: label, description: ask });
}

/** The zod schema of each field: input as the form or the model gives it, output canonical. */
export function fieldSchemas(ctx: PermitRulesContext) {
  const districts = ctx.healthDistricts as [string, ...string[]];
  return {
    permitType: choice('permitType', PERMIT_TYPE_LABELS),
    applicantName: text('applicantName'),
    businessName: text('businessName'),
    entityType: choice('entityType', ENTITY_TYPES),
    contactPhone: phone('contactPhone'),
    email: z
      .email(messages('email', 'That email address does not look right; please check it, or leave it out.'))
      .meta({ title: FIELD_SPECS.email.label, description: FIELD_SPECS.email.ask }),
    healthDistrict: described(
      z.enum(districts, messages('healthDistrict', FIELD_SPECS.healthDistrict.ask)),
      'healthDistrict',
    ),
    menuItems: z
      .array(
        z
          .string({ error: 'Each menu item must be given as words, such as "beef tacos".' })
          .trim()
          .refine((value) => !hasHiddenCharacter(value), { error: hiddenCharacterProblem('One of the menu items') })
          .min(1, { error: 'One of the menu items is empty; please name the dish or drink.' })
          .max(MAX_MENU_ITEM_LENGTH, {
            error: `Each menu item must be ${MAX_MENU_ITEM_LENGTH} characters or fewer; please shorten it.`,
          }),
        messages('menuItems', FIELD_SPECS.menuItems.ask),
      )
      .min(1, { error: FIELD_SPECS.menuItems.ask })
      .max(MAX_MENU_ITEMS, { error: `Please list at most ${MAX_MENU_ITEMS} menu items; group similar ones together.` })
      .meta({ title: FIELD_SPECS.menuItems.label, description: FIELD_SPECS.menuItems.ask }),
    servesTcsFoods: yesNo('servesTcsFoods'),
    tcsItemCount: count('tcsItemCount', MAX_TCS_ITEMS),
    foodPreparation: choice('foodPreparation', FOOD_PREPARATION),
    commercialKitchenName: text('commercialKitchenName'),
    commercialKitchenAddress: text('commercialKitchenAddress', MAX_ADDRESS_LENGTH),
    certifiedFoodHandler: text('certifiedFoodHandler'),
    attestation: z.literal(true, { error: FIELD_SPECS.attestation.ask }).meta({
      title: FIELD_SPECS.attestation.label,
      description: `${FIELD_SPECS.attestation.ask} Only true, and only after the applicant said yes.`,
    }),
    smsConsent: yesNo('smsConsent'),

    eventName: text('eventName'),
    eventAddress: text('eventAddress', MAX_ADDRESS_LENGTH),
    eventCoordinatorName: text('eventCoordinatorName'),
    eventCoordinatorPhone: phone('eventCoordinatorPhone'),
    eventStartDate: date('eventStartDate', ctx),
    eventEndDate: date('eventEndDate', ctx),
    dailyOpenTime: time('dailyOpenTime'),
    dailyCloseTime: time('dailyCloseTime'),
    booths: count('booths', MAX_BOOTHS),

    unitType: choice('unitType', UNIT_TYPES),
    operationMode: choice('operationMode', OPERATION_MODES),
    commissaryName: text('commissaryName'),
    commissaryAddress: text('commissaryAddress', MAX_ADDRESS_LENGTH),
    licensePlate: text('licensePlate'),

    homeAddress: text('homeAddress', MAX_ADDRESS_LENGTH),
    salesChannel: choice('salesChannel', SALES_CHANNELS),
    waterSource: choice('waterSource', WATER_SOURCES),

    establishmentAddress: text('establishmentAddress', MAX_ADDRESS_LENGTH),
    openingDate: date('openingDate', ctx),
  } satisfies Record<FieldName, z.ZodType>;
}

export type FieldSchemas = ReturnType<typeof fieldSchemas>;

/** The choices a field offers in this deployment (districts come from configuration). */
export function fieldOptions(name: FieldName, ctx: PermitRulesContext): readonly ChoiceOption[] {
  if (name === 'healthDistrict') return ctx.healthDistricts.map((d) => ({ value: d, label: d }));
  const spec: FieldSpec = FIELD_SPECS[name];
  return spec.options ?? [];
}

// The SMS sent after an application is submitted. The outbox stores the body
// with a placeholder; a later worker swaps in a signed review link. The body is
// sized here, before the link exists, so that any link the worker may insert
// keeps the message GSM-7 and within two segments.

import type { Language } from '../permits/language.ts';
import { gsm7Septets, isBasicGsm7, SEGMENT_SEPTETS, toGsm7 } from '../protocols/gsm7.ts';

export const REVIEW_LINK_PLACEHOLDER = '{review_link}';

/**
 * Longest signed link the worker may insert, in characters. Links must use the
 * basic GSM-7 table only (fillReviewLink enforces it), so this is also their
 * cost in septets; URL-safe characters all are basic, and budgeting two septets
 * per link character would waste 80 septets of a 306-septet message.
 */
export const MAX_REVIEW_LINK_LENGTH = 80;

/** Two GSM-7 segments, as Twilio bills and splits them. */
export const MAX_SUMMARY_SEPTETS = 2 * SEGMENT_SEPTETS.multipart;

export interface SmsSummaryInput {
  reference: string;
  permitTypeLabel: string;
  businessName: string;
  /** ISO YYYY-MM-DD, both inclusive. */
  eventDates?: { start: string; end: string };
  /** The applicant's language (the call's or the form's); English when not given. */
  language?: Language;
}

const ELLIPSIS = '...';
// The business name gives way first but stays recognisable; a permit label
// shorter than this would no longer say which permit it is.
const MIN_BUSINESS_NAME_SEPTETS = 24;
const MIN_PERMIT_LABEL_SEPTETS = 12;
/**
 * The summary's fixed words, one set per language. HELP and STOP stay English in every language: they are the
 * keywords Twilio and the carriers act on. Each line is made GSM-7 once here (á, í, ó, ú lose their accents; é, ñ,
 * ¿, ¡ are in GSM-7), so a Spanish text is never sent as UCS-2 at twice the cost.
 */
const SUMMARY_LINES = {
  en: {
    received: 'PermitLine: we received your food permit application.',
    reference: 'Ref',
    for: 'for',
    review: 'Review:',
    keywords: 'Reply HELP for help, STOP to opt out.',
    fallbackPermit: 'Food permit',
    months: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
  },
  es: {
    received: 'PermitLine: recibimos su solicitud de permiso de alimentos.',
    reference: 'Ref',
    for: 'para',
    review: 'Revisar:',
    keywords: 'Responda HELP para ayuda, STOP para no recibir mensajes.',
    fallbackPermit: 'Permiso de alimentos',
    months: ['ene', 'feb', 'mar', 'abr', 'may', 'jun', 'jul', 'ago', 'sep', 'oct', 'nov', 'dic'],
  },
} as const satisfies Record<Language, Record<string, string | readonly string[]>>;

type SummaryLines = (typeof SUMMARY_LINES)[Language];

function linesFor(language: Language): SummaryLines {
  const lines = SUMMARY_LINES[language];
  return Object.fromEntries(
    Object.entries(lines).map(([key, value]) => [key, typeof value === 'string' ? toGsm7(value) : value]),
  ) as unknown as SummaryLines;
}

const LINES: Readonly<Record<Language, SummaryLines>> = { en: linesFor('en'), es: linesFor('es') };
// An escape and its character may not be split across segments, so a body
// with extension characters can lose one septet at the segment boundary.
const ESCAPE_SPLIT_RESERVE = 1;
const WORST_CASE_LINK = 'x'.repeat(MAX_REVIEW_LINK_LENGTH);
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const SPACE_RUNS = / +/g;

interface SummaryFields {
  reference: string;
  permitTypeLabel: string;
  businessName: string;
  eventDates: string | undefined;
  language: Language;
}

interface CalendarDate {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
}

/**
 * The summary body, still holding REVIEW_LINK_PLACEHOLDER. Field values are
 * made GSM-7, and the business name (then, if needed, the permit label) is cut
 * with '...' so that the body with any valid link fits MAX_SUMMARY_SEPTETS.
 * Throws if the event dates are not valid ISO dates in order, or if the
 * reference is empty or too long to leave room for the rest: all callers' bugs.
 */
export function buildSmsSummary(input: SmsSummaryInput): string {
  const reference = cleanField(input.reference);
  if (reference === '') throw new Error('SMS summary needs a reference');
  const language = input.language ?? 'en';
  const fields: SummaryFields = {
    reference,
    permitTypeLabel: cleanField(input.permitTypeLabel) || LINES[language].fallbackPermit,
    businessName: cleanField(input.businessName),
    eventDates: input.eventDates === undefined ? undefined : formatEventDates(input.eventDates, language),
    language,
  };
  return renderSummary(fitFields(fields));
}

/**
 * Puts the signed link in place of the placeholder. Throws on a link that is
 * too long or not basic GSM-7, because the body was sized for such links only.
 * The link is kept out of error messages: it grants access to the application.
 */
export function fillReviewLink(body: string, link: string): string {
  if (!isBasicGsm7(link)) throw new Error('review link must use only basic GSM-7 characters');
  if (link.length > MAX_REVIEW_LINK_LENGTH) {
    throw new Error(`review link has ${link.length} characters; the SMS budget allows ${MAX_REVIEW_LINK_LENGTH}`);
  }
  // split/join rather than replace(): a '$' in the link must not act as a replacement pattern.
  const pieces = body.split(REVIEW_LINK_PLACEHOLDER);
  if (pieces.length !== 2) throw new Error(`SMS body must contain ${REVIEW_LINK_PLACEHOLDER} exactly once`);
  return pieces.join(link);
}

/**
 * "Mar 3, 2027", "Mar 3-4, 2027", "Mar 30-Apr 2, 2027" or "Dec 30, 2026-Jan 2, 2027"; in Spanish the day comes
 * first and no comma: "3 mar 2027", "3-4 mar 2027", "30 mar-2 abr 2027", "30 dic 2026-2 ene 2027".
 */
export function formatEventDates(dates: { start: string; end: string }, language: Language = 'en'): string {
  const from = parseIsoDate(dates.start);
  const to = parseIsoDate(dates.end);
  // ISO dates sort as strings.
  if (dates.end < dates.start) throw new RangeError(`event ends (${dates.end}) before it starts (${dates.start})`);
  if (language === 'es') {
    const month = (date: CalendarDate) => LINES.es.months[date.month - 1] ?? '';
    if (from.year !== to.year) return `${from.day} ${month(from)} ${from.year}-${to.day} ${month(to)} ${to.year}`;
    if (from.month !== to.month) return `${from.day} ${month(from)}-${to.day} ${month(to)} ${to.year}`;
    if (from.day !== to.day) return `${from.day}-${to.day} ${month(to)} ${to.year}`;
    return `${from.day} ${month(from)} ${from.year}`;
  }
  if (from.year !== to.year) return `${monthDay(from)}, ${from.year}-${monthDay(to)}, ${to.year}`;
  if (from.month !== to.month) return `${monthDay(from)}-${monthDay(to)}, ${to.year}`;
  if (from.day !== to.day) return `${monthDay(from)}-${to.day}, ${to.year}`;
  return `${monthDay(from)}, ${from.year}`;
}

function renderSummary(fields: SummaryFields): string {
  const lines = LINES[fields.language];
  const subject =
    fields.businessName === ''
      ? fields.permitTypeLabel
      : `${fields.permitTypeLabel} ${lines.for} ${fields.businessName}`;
  const application = fields.eventDates === undefined ? subject : `${subject}, ${fields.eventDates}`;
  return [
    lines.received,
    asSentence(`${lines.reference} ${fields.reference}`),
    asSentence(application),
    `${lines.review} ${REVIEW_LINK_PLACEHOLDER}`,
    lines.keywords,
  ].join(' ');
}

/**
 * Cuts the business name, then the permit label, to the septets left over by
 * everything else. Cutting never lengthens the rest of the body (a cut value
 * ends in '...', so no full stop is added after it), so the room measured on
 * the uncut body stays valid.
 */
function fitFields(fields: SummaryFields): SummaryFields {
  const labelSeptets = gsm7Septets(fields.permitTypeLabel);
  const businessSeptets = gsm7Septets(fields.businessName);
  const worstCase = fillReviewLink(renderSummary(fields), WORST_CASE_LINK);
  const fixedSeptets = gsm7Septets(worstCase) - labelSeptets - businessSeptets;
  const fieldRoom = septetBudget(worstCase) - fixedSeptets;
  if (labelSeptets + businessSeptets <= fieldRoom) return fields;

  const businessName = shortenToSeptets(
    fields.businessName,
    Math.max(fieldRoom - labelSeptets, MIN_BUSINESS_NAME_SEPTETS),
  );
  const labelRoom = fieldRoom - gsm7Septets(businessName);
  if (labelSeptets > labelRoom && labelRoom < MIN_PERMIT_LABEL_SEPTETS) {
    throw new Error(
      `SMS summary cannot fit ${MAX_SUMMARY_SEPTETS} septets: reference of ${fields.reference.length} characters is too long`,
    );
  }
  return { ...fields, businessName, permitTypeLabel: shortenToSeptets(fields.permitTypeLabel, labelRoom) };
}

function septetBudget(gsm7Text: string): number {
  return isBasicGsm7(gsm7Text) ? MAX_SUMMARY_SEPTETS : MAX_SUMMARY_SEPTETS - ESCAPE_SPLIT_RESERVE;
}

/** Longest prefix that, with '...', fits `maxSeptets`; whole text if it already fits. */
function shortenToSeptets(gsm7Text: string, maxSeptets: number): string {
  if (gsm7Septets(gsm7Text) <= maxSeptets) return gsm7Text;
  const room = maxSeptets - gsm7Septets(ELLIPSIS);
  let kept = '';
  let keptSeptets = 0;
  for (const char of gsm7Text) {
    keptSeptets += gsm7Septets(char);
    if (keptSeptets > room) break;
    kept += char;
  }
  return kept.trimEnd() + ELLIPSIS;
}

/**
 * One line of GSM-7 text. Braces become parentheses so that no field can
 * forge REVIEW_LINK_PLACEHOLDER (and they cost two septets each anyway).
 */
function cleanField(value: string): string {
  return toGsm7(value).replaceAll('{', '(').replaceAll('}', ')').replace(SPACE_RUNS, ' ').trim();
}

function asSentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function parseIsoDate(iso: string): CalendarDate {
  const match = ISO_DATE.exec(iso);
  if (match === null || !isCalendarDate(iso)) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${iso}`);
  return { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
}

function isCalendarDate(iso: string): boolean {
  const time = Date.parse(`${iso}T00:00:00Z`);
  // Date.parse rolls Feb 30 over into March; the round trip catches that.
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(iso);
}

function monthDay(date: CalendarDate): string {
  return `${LINES.en.months[date.month - 1] ?? ''} ${date.day}`;
}

import type { Language } from './language.ts';

/**
 * When a person answers the staff line: OFFICE_HOURS as "Mon-Fri 08:00-17:00", several spans joined by ";"
 * ("Mon-Fri 08:00-17:00; Sat 09:00-12:00"), in the department's time zone. A transfer is offered only inside
 * these hours, so a caller is never put through to a line that nobody answers (docs/caller-experience.md).
 */

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
const SPANISH_DAY_NAMES = ['domingo', 'lunes', 'martes', 'miércoles', 'jueves', 'viernes', 'sábado'] as const;
const MAX_SPEC_LENGTH = 200;
// "Mon-Fri 08:00-17:00" or "Sat 09:00-12:00": bounded, anchored, no nested repeats.
// eslint-disable-next-line security/detect-unsafe-regex
const SPAN = /^([a-z]{3})(?:-([a-z]{3}))?\s+(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;

export interface OfficeSpan {
  /** Days of the week, 0 = Sunday, as Date.getDay() counts them. */
  readonly days: readonly number[];
  /** Minutes after local midnight: open from `opens` up to (not including) `closes`. */
  readonly opens: number;
  readonly closes: number;
}

export interface OfficeHours {
  readonly spans: readonly OfficeSpan[];
  readonly timeZone: string;
}

/** The hours, or a sentence saying what is wrong with the setting. */
export function parseOfficeHours(spec: string, timeZone: string): OfficeHours | string {
  const example = 'write it like "Mon-Fri 08:00-17:00" or "Mon-Fri 08:00-17:00; Sat 09:00-12:00"';
  if (spec.length > MAX_SPEC_LENGTH) return `OFFICE_HOURS is too long; ${example}.`;
  const spans: OfficeSpan[] = [];
  for (const part of spec.toLowerCase().split(';')) {
    const match = SPAN.exec(part.trim());
    if (!match) return `OFFICE_HOURS part "${part.trim()}" is not a day range and hours; ${example}.`;
    const [, firstDay = '', lastDay, oh = '', om = '', ch = '', cm = ''] = match;
    const first = DAYS.indexOf(firstDay as (typeof DAYS)[number]);
    const last = lastDay === undefined ? first : DAYS.indexOf(lastDay as (typeof DAYS)[number]);
    if (first < 0 || last < 0) return `OFFICE_HOURS part "${part.trim()}" names a day that is not Mon, Tue … Sun.`;
    const opens = Number(oh) * 60 + Number(om);
    const closes = Number(ch) * 60 + Number(cm);
    if (Number(om) > 59 || Number(cm) > 59 || closes > 24 * 60 || opens >= closes)
      return `OFFICE_HOURS part "${part.trim()}" must open before it closes, with times from 00:00 to 24:00.`;
    const days: number[] = [];
    for (let day = first; ; day = (day + 1) % 7) {
      days.push(day);
      if (day === last) break;
    }
    spans.push({ days, opens, closes });
  }
  return { spans, timeZone };
}

const weekdayAndTime = new Map<string, Intl.DateTimeFormat>();

/** Whether `now` falls inside the office hours, on the department's clock. */
export function isOpen(hours: OfficeHours, now: Date): boolean {
  let format = weekdayAndTime.get(hours.timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: hours.timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    weekdayAndTime.set(hours.timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(now).map((p) => [p.type, p.value]));
  const day = DAYS.indexOf(String(parts.weekday).toLowerCase() as (typeof DAYS)[number]);
  const minute = Number(parts.hour) * 60 + Number(parts.minute);
  return hours.spans.some((span) => span.days.includes(day) && minute >= span.opens && minute < span.closes);
}

/** "Monday to Friday, 8 AM to 5 PM" ("de lunes a viernes, de 8 AM a 5 PM"): what a caller is told. */
export function officeHoursInWords(hours: OfficeHours, language: Language = 'en'): string {
  if (language === 'es')
    return hours.spans
      .map((span) => {
        const first = SPANISH_DAY_NAMES[span.days[0] ?? 0];
        const last = SPANISH_DAY_NAMES[span.days.at(-1) ?? 0];
        const days = span.days.length === 1 ? `el ${first}` : `de ${first} a ${last}`;
        return `${days}, de ${clockInWords(span.opens)} a ${clockInWords(span.closes)}`;
      })
      .join('; ');
  return hours.spans
    .map((span) => {
      const first = DAY_NAMES[span.days[0] ?? 0];
      const last = DAY_NAMES[span.days.at(-1) ?? 0];
      const days = span.days.length === 1 ? first : `${first} to ${last}`;
      return `${days}, ${clockInWords(span.opens)} to ${clockInWords(span.closes)}`;
    })
    .join('; ');
}

function clockInWords(minutes: number): string {
  const hour = Math.floor(minutes / 60) % 24;
  const minute = minutes % 60;
  const suffix = hour < 12 ? 'AM' : 'PM';
  const twelve = hour % 12 === 0 ? 12 : hour % 12;
  return minute === 0 ? `${twelve} ${suffix}` : `${twelve}:${String(minute).padStart(2, '0')} ${suffix}`;
}

/** The staff line a caller can be put through to: a number, and the hours someone answers it. */
export class StaffLine {
  readonly number: string | undefined;
  readonly hours: OfficeHours;
  readonly #now: () => Date;

  constructor(number: string | undefined, hours: OfficeHours, now: () => Date = () => new Date()) {
    this.number = number;
    this.hours = hours;
    this.#now = now;
  }

  /** The number to dial now, or undefined when none is set or the office is closed. */
  answerableNumber(): string | undefined {
    return isOpen(this.hours, this.#now()) ? this.number : undefined;
  }

  get hoursInWords(): string {
    return officeHoursInWords(this.hours);
  }

  /** The hours as a caller in `language` is told them. */
  hoursIn(language: Language): string {
    return officeHoursInWords(this.hours, language);
  }
}

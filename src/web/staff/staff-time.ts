/**
 * Staff read times in the department's time zone, and filter calls by the
 * department's calendar days: a call at 8 pm in Los Angeles belongs to that
 * day, not to the next UTC one.
 */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The UTC instant at which `isoDate` begins in `timeZone`; undefined for a date that does not exist. */
export function startOfDayIn(isoDate: string, timeZone: string): Date | undefined {
  const match = ISO_DATE.exec(isoDate);
  if (match === null) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const utcMidnight = Date.UTC(year, month - 1, day);
  const check = new Date(utcMidnight);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day)
    return undefined;
  // The zone's offset at that moment; a second pass settles days on which the offset changes.
  let instant = utcMidnight - offsetMs(utcMidnight, timeZone);
  instant = utcMidnight - offsetMs(instant, timeZone);
  return new Date(instant);
}

/** The day after an ISO date, as an ISO date. */
export function nextDay(isoDate: string): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

function offsetMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const part = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}

/** "Nov 25, 2026, 14:03" in the department's zone. */
export function formatDateTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    dateStyle: 'medium',
    timeStyle: 'short',
    hourCycle: 'h23',
  }).format(new Date(iso));
}

/** Call time as the transcript shows it: "1:05". */
export function formatOffset(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined) return '—';
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** The start of the department's clock hour that `instant` is in (whole hours there, even in a zone offset by 30 minutes). */
export function startOfHourIn(instant: Date, timeZone: string): Date {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, minute: '2-digit', second: '2-digit' }).formatToParts(
    instant,
  );
  const part = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const intoHourMs = (part('minute') * 60 + part('second')) * 1000 + instant.getUTCMilliseconds();
  return new Date(instant.getTime() - intoHourMs);
}

/** "14:00": an hour on the department's clock. */
export function formatHour(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    instant,
  );
}

/** A cost in USD as staff read it: "$0.0123" (model costs per call are fractions of a cent to a few cents). */
export function formatUsd(amount: number): string {
  return `$${amount.toFixed(4)}`;
}

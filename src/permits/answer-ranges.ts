import { readDateAnswer, readTimeAnswer, type IsoDate } from './field-inputs.ts';
import type { FieldName } from './permit-fields.ts';
import { DEFAULT_LANGUAGE, type Language } from './language.ts';

/**
 * Pairs of fields a caller often answers in one breath: "June 5 to June 7" for the event's days, "9 to 5" for its
 * hours. A range given for either field of a pair fills both, so a three-day event is never stored as one day.
 */
const RANGE_PAIRS: readonly { readonly first: FieldName; readonly last: FieldName; readonly kind: 'date' | 'time' }[] =
  [
    { first: 'eventStartDate', last: 'eventEndDate', kind: 'date' },
    { first: 'dailyOpenTime', last: 'dailyCloseTime', kind: 'time' },
  ];

/**
 * The answers with each range spread over its pair. When the pair's other field is answered too, in other words,
 * nothing is spread: which of the two the caller meant is for the field's own check to ask, not for us to guess.
 */
export function spreadRanges<T extends Readonly<Record<string, unknown>>>(
  answers: T,
  today: IsoDate,
  language: Language = DEFAULT_LANGUAGE,
): T {
  let spread: Record<string, unknown> | undefined;
  for (const { first, last, kind } of RANGE_PAIRS) {
    for (const [said, other] of [
      [first, last],
      [last, first],
    ] as const) {
      const value = answers[said];
      if (typeof value !== 'string') continue;
      const ends = rangeEnds(value, kind, today, language);
      if (ends === undefined) continue;
      const otherValue = answers[other];
      if (otherValue !== undefined && otherValue !== null && otherValue !== value) continue;
      spread ??= { ...answers };
      spread[first] = ends[0];
      spread[last] = ends[1];
    }
  }
  return (spread as T | undefined) ?? answers;
}

function rangeEnds(
  value: string,
  kind: 'date' | 'time',
  today: IsoDate,
  language: Language,
): readonly [string, string] | undefined {
  if (kind === 'date') {
    const reading = readDateAnswer(value, today, undefined, language);
    return reading.kind === 'range' ? [reading.start, reading.end] : undefined;
  }
  const reading = readTimeAnswer(value, language);
  return reading.kind === 'range' ? [reading.open, reading.close] : undefined;
}

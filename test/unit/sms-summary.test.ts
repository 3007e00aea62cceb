import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GSM7_BASIC_ALPHABET,
  GSM7_EXTENSION_ALPHABET,
  gsm7Septets,
  isGsm7,
  smsSegments,
} from '../../src/protocols/gsm7.ts';
import {
  buildSmsSummary,
  fillReviewLink,
  formatEventDates,
  MAX_REVIEW_LINK_LENGTH,
  MAX_SUMMARY_SEPTETS,
  REVIEW_LINK_PLACEHOLDER,
  type SmsSummaryInput,
} from '../../src/sms/summary-text.ts';

const REFERENCE = 'FP-2026-7KQ3XM';
const LONGEST_LINK = `https://permitline.example/r/${'A'.repeat(MAX_REVIEW_LINK_LENGTH - 29)}`;
const TACO_LOCO: SmsSummaryInput = {
  reference: REFERENCE,
  permitTypeLabel: 'Temporary food event',
  businessName: 'Taco Loco',
  eventDates: { start: '2027-03-03', end: '2027-03-04' },
};
const DAY_MS = 86_400_000;

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

function expectDeliverable(body: string, link: string): void {
  const sms = fillReviewLink(body, link);
  expect(isGsm7(sms)).toBe(true);
  expect(gsm7Septets(sms)).toBeLessThanOrEqual(MAX_SUMMARY_SEPTETS);
  expect(smsSegments(sms)).toBeLessThanOrEqual(2);
}

describe('buildSmsSummary', () => {
  it('when an event application is summarised, then the body reads plainly and holds the placeholder', () => {
    expect(buildSmsSummary(TACO_LOCO)).toBe(
      'PermitLine: we received your food permit application. Ref FP-2026-7KQ3XM. ' +
        'Temporary food event for Taco Loco, Mar 3-4, 2027. Review: {review_link} Reply HELP for help, STOP to opt out.',
    );
  });

  it('when there are no event dates, then the application sentence ends after the business name', () => {
    const body = buildSmsSummary({
      reference: REFERENCE,
      permitTypeLabel: 'Mobile food unit',
      businessName: 'Taco Loco',
    });
    expect(body).toContain('. Mobile food unit for Taco Loco. Review: {review_link} ');
  });

  it('when fields hold curly quotes, emoji, accents and line breaks, then they arrive as plain GSM-7', () => {
    const body = buildSmsSummary({
      reference: REFERENCE,
      permitTypeLabel: 'Caterer’s\tpermit',
      businessName: '  Joe’s 🌮 “Crêpe”\nCafé  ',
    });
    expect(body).toContain(`Caterer's permit for Joe's "Crepe" Café. Review:`);
    expect(isGsm7(body)).toBe(true);
  });

  it('when the business name is empty after cleaning, then the permit label stands alone', () => {
    const body = buildSmsSummary({ ...TACO_LOCO, businessName: '🌮🌮' });
    expect(body).toContain(`Ref ${REFERENCE}. Temporary food event, Mar 3-4, 2027. Review:`);
  });

  it('when the permit label is empty after cleaning, then a generic label is used', () => {
    expect(buildSmsSummary({ ...TACO_LOCO, permitTypeLabel: ' ' })).toContain(
      '. Food permit for Taco Loco, Mar 3-4, 2027.',
    );
  });

  it('when the business name already ends a sentence, then no second full stop is added', () => {
    const body = buildSmsSummary({ reference: REFERENCE, permitTypeLabel: 'Caterer', businessName: 'Joe & Sons Inc.' });
    expect(body).toContain('Caterer for Joe & Sons Inc. Review:');
  });

  it('when the business name is too long, then it is cut with "..." and the label and reference stay whole', () => {
    const businessName =
      'The Extraordinarily Long Named Mobile Taco and Burrito Emporium of the Greater Metropolitan Area';
    const body = buildSmsSummary({
      ...TACO_LOCO,
      businessName,
      eventDates: { start: '2026-12-30', end: '2027-01-02' },
    });
    expect(body).toMatch(
      /Temporary food event for The Extraordinarily Long[^,]*[^ ]\.\.\., Dec 30, 2026-Jan 2, 2027\. Review:/,
    );
    expect(body).not.toContain(businessName);
    expect(body).toContain(`Ref ${REFERENCE}.`);
    expect(gsm7Septets(fillReviewLink(body, LONGEST_LINK))).toBe(MAX_SUMMARY_SEPTETS);
  });

  it('when both the label and the business name are very long, then both are cut and the body still fits', () => {
    const body = buildSmsSummary({ ...TACO_LOCO, permitTypeLabel: 'L'.repeat(300), businessName: 'B'.repeat(300) });
    expect(body).toMatch(/Ref FP-2026-7KQ3XM\. L{12,}\.\.\. for B{12,}\.\.\., Mar 3-4, 2027\./);
    expectDeliverable(body, LONGEST_LINK);
  });

  it('when a long business name is full of extension characters, then the SMS still fits two segments', () => {
    const body = buildSmsSummary({ ...TACO_LOCO, businessName: `${'a'.repeat(45)}€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€` });
    expect(body).toContain('...');
    expectDeliverable(body, LONGEST_LINK);
  });

  it('when a field contains the placeholder text, then the body still holds exactly one placeholder', () => {
    const body = buildSmsSummary({ ...TACO_LOCO, businessName: `Tacos ${REVIEW_LINK_PLACEHOLDER}` });
    expect(occurrences(body, REVIEW_LINK_PLACEHOLDER)).toBe(1);
    expect(body).toContain('Tacos (review_link)');
    expect(fillReviewLink(body, 'https://x.example/r/1')).toContain('Review: https://x.example/r/1 Reply');
  });

  it('when the reference is empty, then it throws', () => {
    expect(() => buildSmsSummary({ ...TACO_LOCO, reference: '🌮' })).toThrow(/reference/);
  });

  it('when the reference is too long to leave room for the rest, then it throws instead of cutting it', () => {
    expect(() => buildSmsSummary({ ...TACO_LOCO, reference: 'R'.repeat(200) })).toThrow(/reference/);
  });

  it('when the event dates are invalid or reversed, then it throws', () => {
    expect(() => buildSmsSummary({ ...TACO_LOCO, eventDates: { start: '2027-02-30', end: '2027-03-01' } })).toThrow(
      RangeError,
    );
    expect(() => buildSmsSummary({ ...TACO_LOCO, eventDates: { start: '2027-03-04', end: '2027-03-03' } })).toThrow(
      RangeError,
    );
  });
});

describe('formatEventDates', () => {
  it('when the event is a single day, then one date is written', () => {
    expect(formatEventDates({ start: '2027-03-03', end: '2027-03-03' })).toBe('Mar 3, 2027');
  });

  it('when the event stays within one month, then the month is written once', () => {
    expect(formatEventDates({ start: '2027-03-03', end: '2027-03-04' })).toBe('Mar 3-4, 2027');
  });

  it('when the event crosses months, then both months are written and the year once', () => {
    expect(formatEventDates({ start: '2027-03-30', end: '2027-04-02' })).toBe('Mar 30-Apr 2, 2027');
  });

  it('when the event crosses years, then both dates are written in full', () => {
    expect(formatEventDates({ start: '2026-12-30', end: '2027-01-02' })).toBe('Dec 30, 2026-Jan 2, 2027');
  });

  it('when the date is a leap day, then it is accepted', () => {
    expect(formatEventDates({ start: '2028-02-29', end: '2028-03-01' })).toBe('Feb 29-Mar 1, 2028');
  });

  it('when a date is not a real YYYY-MM-DD date, then it throws a RangeError', () => {
    for (const bad of ['2027-02-29', '2027-13-01', '2027-3-4', '03/04/2027', '']) {
      expect(() => formatEventDates({ start: bad, end: bad }), bad).toThrow(RangeError);
    }
  });

  it('when the end is before the start, then it throws a RangeError', () => {
    expect(() => formatEventDates({ start: '2027-03-04', end: '2027-03-03' })).toThrow(RangeError);
  });
});

describe('fillReviewLink', () => {
  const body = buildSmsSummary(TACO_LOCO);

  it('when a link is filled in, then it replaces the placeholder', () => {
    const sms = fillReviewLink(body, 'https://permitline.example/r/abc');
    expect(sms).toContain('Review: https://permitline.example/r/abc Reply');
    expect(sms).not.toContain(REVIEW_LINK_PLACEHOLDER);
  });

  it('when the link holds "$" patterns, then they are inserted literally', () => {
    expect(fillReviewLink(body, "x$&$'$1")).toContain("Review: x$&$'$1 Reply");
  });

  it('when the link is exactly the maximum length, then it is accepted', () => {
    expect(LONGEST_LINK).toHaveLength(MAX_REVIEW_LINK_LENGTH);
    expect(fillReviewLink(body, LONGEST_LINK)).toContain(LONGEST_LINK);
  });

  it('when the link is longer than the maximum, then it throws', () => {
    expect(() => fillReviewLink(body, `${LONGEST_LINK}A`)).toThrow(/81 characters/);
  });

  it('when the link holds extension or non-GSM characters, then it throws', () => {
    expect(() => fillReviewLink(body, 'https://x.example/r/[1]')).toThrow(/basic GSM-7/);
    expect(() => fillReviewLink(body, 'https://x.example/r/🌮')).toThrow(/basic GSM-7/);
  });

  it('when the body has no placeholder or two, then it throws', () => {
    expect(() => fillReviewLink('no placeholder', 'x')).toThrow(/exactly once/);
    expect(() => fillReviewLink(`${REVIEW_LINK_PLACEHOLDER} ${REVIEW_LINK_PLACEHOLDER}`, 'x')).toThrow(/exactly once/);
  });
});

describe('summary properties', () => {
  const gsm7Char = fc.constantFrom(...Array.from(GSM7_BASIC_ALPHABET + GSM7_EXTENSION_ALPHABET));
  const anyField = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 400 }),
    fc.string({ unit: 'grapheme', maxLength: 200 }),
    fc.string({ unit: gsm7Char, maxLength: 400 }),
    fc.constantFrom('', REVIEW_LINK_PLACEHOLDER, '$&', '...', '€'.repeat(200)),
  );
  const reference = fc.stringMatching(/^FP-20\d{2}-[0-9A-Z]{6}$/);
  const isoDate = (date: Date): string => date.toISOString().slice(0, 10);
  const eventDates = fc
    .tuple(
      fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }),
      fc.integer({ min: 0, max: 800 }),
    )
    .map(([start, days]) => ({ start: isoDate(start), end: isoDate(new Date(start.getTime() + days * DAY_MS)) }));
  const input = fc.record(
    { reference, permitTypeLabel: anyField, businessName: anyField, eventDates },
    { requiredKeys: ['reference', 'permitTypeLabel', 'businessName'] },
  );
  const basicLinkChar = fc.constantFrom(...Array.from(GSM7_BASIC_ALPHABET));
  const link = fc.oneof(
    fc.string({ unit: basicLinkChar, maxLength: MAX_REVIEW_LINK_LENGTH }),
    fc.string({ unit: basicLinkChar, minLength: MAX_REVIEW_LINK_LENGTH, maxLength: MAX_REVIEW_LINK_LENGTH }),
  );

  it('when any application is summarised and any valid link filled in, then the SMS is GSM-7, at most 306 septets, two segments, and names the reference', () => {
    fc.assert(
      fc.property(input, link, (application, reviewLink) => {
        const body = buildSmsSummary(application);
        expect(occurrences(body, REVIEW_LINK_PLACEHOLDER)).toBe(1);
        const sms = fillReviewLink(body, reviewLink);
        expect(isGsm7(sms)).toBe(true);
        expect(gsm7Septets(sms)).toBeLessThanOrEqual(MAX_SUMMARY_SEPTETS);
        expect(smsSegments(sms)).toBeLessThanOrEqual(2);
        expect(sms).toContain(`Ref ${application.reference}.`);
        expect(sms).toContain(` ${reviewLink} Reply HELP`);
      }),
      { numRuns: 1000 },
    );
  });

  it('when the label and business name are short plain text, then they appear uncut', () => {
    const shortText = fc.stringMatching(/^[A-Za-z][A-Za-z ]{0,18}[A-Za-z]$/).map((text) => text.replace(/ +/g, ' '));
    fc.assert(
      fc.property(
        reference,
        shortText,
        shortText,
        fc.option(eventDates, { nil: undefined }),
        (ref, label, name, dates) => {
          const body = buildSmsSummary({
            reference: ref,
            permitTypeLabel: label,
            businessName: name,
            eventDates: dates,
          });
          expect(body).toContain(`. ${label} for ${name}${dates === undefined ? '.' : ','}`);
          expect(body).not.toContain('...');
        },
      ),
    );
  });
});

describe('the SMS summary in Spanish', () => {
  it('when the applicant was served in Spanish, then the summary is in Spanish, with Spanish dates, and GSM-7', () => {
    const body = buildSmsSummary({
      reference: 'FP-2027-7KQ3XM',
      permitTypeLabel: 'Permiso de evento temporal de comida',
      businessName: 'Taco Loco',
      eventDates: { start: '2027-03-03', end: '2027-03-04' },
      language: 'es',
    });
    expect(body).toBe(
      'PermitLine: recibimos su solicitud de permiso de alimentos. Ref FP-2027-7KQ3XM. Permiso de evento temporal de comida para Taco Loco, 3-4 mar 2027. Revisar: {review_link} Responda HELP para ayuda, STOP para no recibir mensajes.',
    );
    expect(isGsm7(body)).toBe(true);
  });

  it('when dates cross a month or a year, then the Spanish form puts the day first', () => {
    expect(formatEventDates({ start: '2027-03-30', end: '2027-04-02' }, 'es')).toBe('30 mar-2 abr 2027');
    expect(formatEventDates({ start: '2026-12-30', end: '2027-01-02' }, 'es')).toBe('30 dic 2026-2 ene 2027');
    expect(formatEventDates({ start: '2027-06-05', end: '2027-06-05' }, 'es')).toBe('5 jun 2027');
  });

  it('when a long Spanish business name has letters GSM-7 lacks, then they are transliterated and the text stays within two segments', () => {
    const body = buildSmsSummary({
      reference: 'FP-2027-7KQ3XM',
      permitTypeLabel: 'Permiso de unidad móvil de comida',
      businessName: 'Cocina Económica Doña María — Antojitos, Tamales y Atole de Guayaba Rosá Búho Íñigo '.repeat(3),
      language: 'es',
    });
    const sent = fillReviewLink(body, LONGEST_LINK);
    expect(isGsm7(sent)).toBe(true);
    expect(gsm7Septets(sent)).toBeLessThanOrEqual(MAX_SUMMARY_SEPTETS);
    expect(body).toContain('Permiso de unidad movil de comida para Cocina Economica Doña Maria');
  });
});

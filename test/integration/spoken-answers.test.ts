import type { Client } from '@libsql/client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApplicationService } from '../../src/intake/application-service.ts';
import { PermitToolbox } from '../../src/intake/permit-tools.ts';
import { PermitRules } from '../../src/permits/permit-rules.ts';
import { ApplicationRepository } from '../../src/store/application-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { TODAY } from '../support/applications.ts';
import { openTestDatabase, type TestDatabase } from '../support/database.ts';
import { eventFormFields, FormClient } from '../support/form-client.ts';
import { testDataKeys } from '../support/keys.ts';
import { startTestService, type TestService } from '../support/service.ts';

/**
 * How people really say dates, times and phone numbers, through the agent's update_application tool on a real
 * database and through the web form over HTTP: each is understood, or refused with a sentence that says what was
 * heard and what to say instead. TODAY is Wednesday, November 25, 2026.
 */
const rules = new PermitRules({ healthDistricts: ['Central', 'North County'], today: () => TODAY });
let database: TestDatabase;
let db: Client;
let applications: ApplicationService;

beforeEach(async () => {
  database = await openTestDatabase();
  db = database.db;
  applications = new ApplicationService({
    repository: new ApplicationRepository(db, new FieldCipher(testDataKeys())),
    rules,
    timeZone: 'America/Los_Angeles',
  });
});
afterEach(() => {
  database.close();
});

interface ToolAnswer {
  readonly saved: readonly string[];
  readonly problems: readonly string[];
  readonly stored: Readonly<Record<string, unknown>>;
  readonly readBack: readonly string[];
}

/** One update_application call for a draft of the given type, and what the draft holds afterwards. */
async function say(type: string, answers: Record<string, unknown>): Promise<ToolAnswer> {
  const id = await applications.startDraft('voice');
  const tools = new PermitToolbox(applications, rules, id);
  const result = await tools.run('update_application', JSON.stringify({ permitType: type, ...answers }));
  const body = JSON.parse(result.output) as { saved?: string[]; problems?: string[] };
  // What the agent reads back to the caller afterwards.
  const application = JSON.parse((await tools.run('get_application', '{}')).output) as { read_back?: string[] };
  const draft = await applications.find(id);
  return {
    saved: body.saved ?? [],
    problems: body.problems ?? [],
    stored: draft?.fields ?? {},
    readBack: application.read_back ?? [],
  };
}

describe('dates as people say them, through the tool', () => {
  it('when the caller says "last Tuesday", then it is refused as past, not stored as next Tuesday', async () => {
    const answer = await say('food_establishment', { openingDate: 'last Tuesday' });
    expect(answer.problems).toEqual([
      'The anticipated opening date, November 24, 2026, is in the past; please give a date from today on.',
    ]);
    expect(answer.stored.openingDate).toBeUndefined();
  });

  it.each([
    ['June 5 to June 7, 2027', '2027-06-05', '2027-06-07'],
    ['June 5-7, 2027', '2027-06-05', '2027-06-07'],
    ['this Friday through Sunday', '2026-11-27', '2026-11-29'],
  ])(
    'when the first day is given as the range "%s", then both days are stored and read back',
    async (said, start, end) => {
      const answer = await say('temporary_food_event', { eventStartDate: said });
      expect(answer.problems).toEqual([]);
      expect(answer.stored).toMatchObject({ eventStartDate: start, eventEndDate: end });
      expect(answer.readBack).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^First day of the event: /),
          expect.stringMatching(/^Last day/),
        ]),
      );
    },
  );

  it('when the weekday said contradicts the date, then the caller is asked which they meant and nothing is stored', async () => {
    const answer = await say('food_establishment', { openingDate: 'Friday, June 5th, 2027' });
    expect(answer.problems).toEqual([
      'June 5, 2027 is a Saturday, not a Friday; did you mean Saturday the 5th or Friday the 4th?',
    ]);
    expect(answer.stored.openingDate).toBeUndefined();
  });

  it.each([
    ['the day after tomorrow', '2026-11-27'],
    ['this coming Friday', '2026-11-27'],
    ['a week from Saturday', '2026-12-05'],
    ['March 3rd, twenty twenty-seven', '2027-03-03'],
    ['March 3rd, two thousand and twenty-seven', '2027-03-03'],
    ['Febuary 3rd 2027', '2027-02-03'],
    ['Memorial Day', '2027-05-31'],
    ['el tres de marzo de 2027', '2027-03-03'],
  ])('when the caller says "%s", then %s is stored', async (said, expected) => {
    const answer = await say('food_establishment', { openingDate: said });
    expect(answer.problems).toEqual([]);
    expect(answer.stored.openingDate).toBe(expected);
  });

  it('when a long answer is not a date, then it is quoted back in whole words, bounded', async () => {
    const answer = await say('food_establishment', {
      openingDate: 'the first sunny weekend after the county fair has finished for the year',
    });
    expect(answer.problems).toEqual([
      'We could not read "the first sunny weekend after the county fair…" as a date; please give a date such as March 3, 2027 or 03/03/2027.',
    ]);
  });
});

describe('times as people say them, through the tool', () => {
  it.each([
    ['nine in the morning', '09:00'],
    ['six in the evening', '18:00'],
    ['nine a.m.', '09:00'],
    ['five pm', '17:00'],
    ["eight o'clock in the morning", '08:00'],
    ['10 at night', '22:00'],
    ['12 noon', '12:00'],
    ['noon', '12:00'],
    ['half past nine in the morning', '09:30'],
    ['17:00 hours', '17:00'],
  ])('when the caller says "%s", then %s is stored', async (said, expected) => {
    const answer = await say('temporary_food_event', { dailyCloseTime: said });
    expect(answer.problems).toEqual([]);
    expect(answer.stored.dailyCloseTime).toBe(expected);
  });

  it.each([
    ['half past nine', '9:30'],
    ['quarter to five', '4:45'],
  ])(
    'when the caller says "%s" with no part of the day, then they are asked morning or evening',
    async (said, clock) => {
      const answer = await say('temporary_food_event', { dailyOpenTime: said });
      expect(answer.problems).toEqual([
        `We heard ${clock} without morning or evening; please say ${clock} in the morning or ${clock} in the evening.`,
      ]);
      expect(answer.stored.dailyOpenTime).toBeUndefined();
    },
  );

  it.each(['9am to 5pm', 'from 9 to 5', 'nine to five', 'de nueve a cinco'])(
    'when the opening time is given as the range "%s", then opening and closing are both stored',
    async (said) => {
      const answer = await say('temporary_food_event', { dailyOpenTime: said });
      expect(answer.problems).toEqual([]);
      expect(answer.stored).toMatchObject({ dailyOpenTime: '09:00', dailyCloseTime: '17:00' });
    },
  );
});

describe('phone numbers as people say them, through the tool', () => {
  it.each([
    'four two five, five five five, oh one eight seven',
    'area code 425, 555-0187',
    'four two five, double five five, oh one eight seven',
    'four two five, triple five, oh one eight seven',
    'cuatro dos cinco, cinco cinco cinco, cero uno ocho siete',
  ])('when the caller says "%s", then +14255550187 is stored', async (said) => {
    const answer = await say('food_establishment', { contactPhone: said });
    expect(answer.problems).toEqual([]);
    expect(answer.stored.contactPhone).toBe('+14255550187');
  });

  it('when an extension is given, then it is kept with the number and read back after it', async () => {
    const answer = await say('food_establishment', { contactPhone: '(425) 555-0187 extension 12' });
    expect(answer.stored.contactPhone).toBe('+14255550187;ext=12');
    expect(answer.readBack).toContain('Contact phone: 4 2 5, 5 5 5, 0 1 8 7, extension 1 2');
  });

  it('when a UK number is given, then the caller is told only US and Canadian numbers are taken', async () => {
    const answer = await say('food_establishment', { contactPhone: '+44 20 7946 0018' });
    expect(answer.problems).toEqual([
      'Contact phone looks like a number outside the US and Canada (United Kingdom), and we can only take US and Canadian numbers; please give one with its area code.',
    ]);
  });

  it('when too few digits are heard, then the caller is told how many were heard', async () => {
    const answer = await say('food_establishment', { contactPhone: 'five five five, oh one eight seven' });
    expect(answer.problems).toEqual([
      'We heard 7 digits for contact phone, and a US number has ten; please give all ten digits, area code first.',
    ]);
  });
});

describe('spoken answers through the web form', () => {
  let service: TestService;
  let client: FormClient;
  const year = new Date().getFullYear() + 1;

  beforeAll(async () => {
    service = await startTestService({ RATE_LIMIT_FORM_POSTS_PER_HOUR: '0' });
  });
  afterAll(async () => {
    await service.close();
  });
  beforeEach(() => {
    client = new FormClient(service.url);
  });

  async function storedField(reference: string, field: string): Promise<unknown> {
    const result = await service.db.execute({
      sql: 'SELECT f.value FROM application_fields f JOIN applications a ON a.id = f.application_id WHERE a.reference = ? AND f.field = ?',
      args: [reference, field],
    });
    return result.rows[0]?.value;
  }

  it('when the first day holds a range and the last day is empty, then the application is submitted with both days', async () => {
    const form = await client.openForm('temporary_food_event');
    const res = await client.post('/apply', {
      ...eventFormFields(),
      eventStartDate: `June 5 to June 7, ${year}`,
      eventEndDate: '',
      dailyOpenTime: 'nine in the morning',
      dailyCloseTime: 'six in the evening',
      _csrf: form.csrf,
      formId: form.formId,
    });
    expect(res.status).toBe(200);
    const reference = /id="reference">(FP-\d{4}-[2-9A-HJKMNP-Z]{6})</.exec(res.html)?.[1] ?? '';
    expect(String(await storedField(reference, 'eventStartDate'))).toContain(`${year}-06-05`);
    expect(String(await storedField(reference, 'eventEndDate'))).toContain(`${year}-06-07`);
    expect(String(await storedField(reference, 'dailyOpenTime'))).toContain('09:00');
  });

  it('when the date contradicts its weekday or is "last Tuesday", then each message is shown beside its field', async () => {
    const june5 = new Date(Date.UTC(year, 5, 5));
    const weekday = new Intl.DateTimeFormat('en-US', { weekday: 'long', timeZone: 'UTC' }).format(june5);
    const wrongWeekday = weekday === 'Monday' ? 'Tuesday' : 'Monday';
    const form = await client.openForm('temporary_food_event');
    const res = await client.post('/apply', {
      ...eventFormFields(),
      eventStartDate: `${wrongWeekday}, June 5th, ${year}`,
      eventEndDate: 'last Tuesday',
      _csrf: form.csrf,
      formId: form.formId,
    });
    expect(res.status).toBe(400);
    expect(res.html).toMatch(
      new RegExp(
        `id="field-eventStartDate-error">June 5, ${year} is a ${weekday}, not a ${wrongWeekday}; did you mean`,
      ),
    );
    expect(res.html).toMatch(
      /id="field-eventEndDate-error">The last day of the event, [A-Z][a-z]+ \d+, \d{4}, is in the past/,
    );
  });
});

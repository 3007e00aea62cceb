import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RESUME_WINDOW_DAYS, ResumableDrafts } from '../../src/intake/resumable-drafts.ts';
import { ApplicationRepository } from '../../src/store/application-repository.ts';
import { CallRepository } from '../../src/store/call-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { openTestDatabase, type TestDatabase } from '../support/database.ts';
import { testDataKeys } from '../support/keys.ts';

/**
 * The one rule every phone channel uses to pick up a caller's draft, over a
 * real libSQL database: by the draft's contact phone, else by the caller's
 * recent calls, within the window, never for a withheld caller ID.
 */

const CALLER = '+13125550123';
const DAY_MS = 24 * 60 * 60 * 1000;
const START = new Date('2026-12-01T17:00:00Z');

let database: TestDatabase;
let clock: Date;
let applications: ApplicationRepository;
let calls: CallRepository;
let drafts: ResumableDrafts;

beforeEach(async () => {
  database = await openTestDatabase();
  clock = START;
  const cipher = new FieldCipher(testDataKeys());
  applications = new ApplicationRepository(database.db, cipher, () => clock);
  calls = new CallRepository(database.db, cipher, () => clock);
  drafts = new ResumableDrafts({ applications, calls, now: () => clock });
});
afterEach(() => {
  database.close();
});

const callSid = (n: number): string => `CA${n.toString(16).padStart(32, '0')}`;

async function draftCalledFrom(from: string, n: number): Promise<string> {
  const id = await applications.createDraft('voice');
  await calls.recordIncoming(callSid(n), from, 'ringing');
  await calls.attachApplication(callSid(n), id, 'test', 'test');
  await applications.saveFields(id, { businessName: 'Taco Loco' });
  return id;
}

describe('a caller’s resumable draft', () => {
  it('when the caller phoned about a draft within the window, then that draft is found by their number', async () => {
    const id = await draftCalledFrom(CALLER, 1);
    clock = new Date(START.getTime() + (RESUME_WINDOW_DAYS - 1) * DAY_MS);
    expect(await drafts.findFor(CALLER)).toBe(id);
  });

  it('when the draft’s contact phone is the caller’s number, then it is found even if it was begun from another phone', async () => {
    const id = await draftCalledFrom('+13125550199', 2);
    await applications.saveFields(id, { contactPhone: CALLER });
    expect(await drafts.findFor(CALLER)).toBe(id);
  });

  it('when the window has passed since the draft last changed, then nothing is found and a new draft starts', async () => {
    await draftCalledFrom(CALLER, 3);
    clock = new Date(START.getTime() + RESUME_WINDOW_DAYS * DAY_MS + 1);
    expect(await drafts.findFor(CALLER)).toBeUndefined();
  });

  it('when the draft was submitted, then it is not picked up again', async () => {
    const id = await draftCalledFrom(CALLER, 4);
    await applications.markSubmitted(id, 'FP-2026-7KQ3XM', undefined);
    expect(await drafts.findFor(CALLER)).toBeUndefined();
  });

  it('when the caller ID is withheld, then no draft is ever found, not even one begun by another withheld caller', async () => {
    await draftCalledFrom('anonymous', 5);
    expect(await drafts.findFor('anonymous')).toBeUndefined();
    expect(await drafts.findFor('')).toBeUndefined();
  });
});

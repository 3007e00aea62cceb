import type { Client } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApplicantErasure } from '../../src/store/applicant-erasure.ts';
import { ApplicationRepository } from '../../src/store/application-repository.ts';
import { CallRepository } from '../../src/store/call-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { SmsOutboxRepository } from '../../src/store/sms-outbox-repository.ts';
import { StaffCallDirectory } from '../../src/store/staff-call-directory.ts';
import { testDataKeys } from '../support/keys.ts';
import { openTestDatabase, type TestDatabase } from '../support/database.ts';

/**
 * Erasure by phone number on a real database: the applicant's drafts, calls,
 * transcripts and texts lose every personal value in one go, a text not yet
 * sent can never go out, and another applicant's data is untouched.
 */

const ROSA = '+13125550142';
const OMAR = '+13125550177';
let db: Client;
let database: TestDatabase;
const cipher = new FieldCipher(testDataKeys());

beforeEach(async () => {
  database = await openTestDatabase();
  db = database.db;
});
afterEach(() => {
  database.close();
});

/** An applicant who called, said a few things, and has a text waiting. */
async function applicant(phone: string, callSid: string, business: string): Promise<string> {
  const applications = new ApplicationRepository(db, cipher);
  const calls = new CallRepository(db, cipher);
  const id = await applications.createDraft('voice');
  await applications.saveFields(id, {
    permitType: 'temporary_food_event',
    applicantName: `Owner of ${business}`,
    businessName: business,
    contactPhone: phone,
    healthDistrict: 'Central',
  });
  await calls.recordIncoming(callSid, phone, 'completed');
  await calls.attachApplication(callSid, id, 'agent-instructions.v1', 'gpt-realtime');
  await calls.saveTurn(callSid, {
    itemId: 'item_1',
    position: 1,
    role: 'caller',
    text: `The business is ${business}.`,
    offsetMs: 1200,
  });
  await new SmsOutboxRepository(db, cipher).queue('web-link', id, phone, `Finish ${business} online`);
  return id;
}

describe('erasing an applicant by phone number', () => {
  it('when erased, then their personal answers, number, transcript and texts are gone, the unsent text is failed, and nobody else is touched', async () => {
    const rosa = await applicant(ROSA, `CA${'1'.repeat(32)}`, 'Taco Loco');
    const omar = await applicant(OMAR, `CA${'2'.repeat(32)}`, 'Falafel Cart');

    const result = await new ApplicantErasure(db, cipher).erase({ phone: ROSA });

    expect(result).toEqual({ applicationIds: [rosa], callSids: [`CA${'1'.repeat(32)}`] });
    const applications = new ApplicationRepository(db, cipher);
    expect((await applications.find(rosa))?.fields).toEqual({
      permitType: 'temporary_food_event',
      healthDistrict: 'Central',
    });
    const calls = new CallRepository(db, cipher);
    expect(await calls.transcript(`CA${'1'.repeat(32)}`)).toEqual([]);
    expect((await calls.find(`CA${'1'.repeat(32)}`))?.fromPhone).toBe('');
    const [text] = await applications.outboxFor(rosa);
    expect(text).toMatchObject({ toPhone: '', body: '', status: 'failed', failureReason: 'erased before it was sent' });
    // The number's keyed hashes are gone too: a search by her number no longer finds her, though the call is still listed.
    const directory = new StaffCallDirectory(db, cipher);
    expect((await directory.list({ search: { phone: ROSA }, page: 1, pageSize: 25 })).entries).toEqual([]);
    expect(await directory.find(`CA${'1'.repeat(32)}`)).toMatchObject({ erased: true, callerPhone: '' });

    expect((await applications.find(omar))?.fields.businessName).toBe('Falafel Cart');
    expect(await calls.transcript(`CA${'2'.repeat(32)}`)).toHaveLength(1);
    expect((await applications.outboxFor(omar))[0]).toMatchObject({ toPhone: OMAR, status: 'pending' });
  });

  it('when nobody has that number, then nothing is erased', async () => {
    await applicant(OMAR, `CA${'2'.repeat(32)}`, 'Falafel Cart');
    expect(await new ApplicantErasure(db, cipher).erase({ phone: ROSA })).toEqual({ applicationIds: [], callSids: [] });
  });
});

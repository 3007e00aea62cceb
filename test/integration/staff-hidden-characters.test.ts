import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationRepository } from '../../src/store/application-repository.ts';
import { CallRepository } from '../../src/store/call-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { testDataKeys, TEST_KEY_A } from '../support/keys.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { CLERK, StaffClient, addStaffUser } from '../support/staff.ts';

/**
 * Rows stored before text fields refused control and bidi characters, and
 * transcripts (which never pass the field rules), are still read in the staff
 * console: its pages must show those characters written out, never send them.
 */

const CALL_SID = `CA${'7'.repeat(32)}`;
// A bidi override that makes "Taco Loco" read backwards, a bell, and a terminal's clear-screen.
const OVERRIDDEN = 'Taco \u202eocoL';
const CONTROLLED = 'Rosa\u0007 Delgado\u001b[2J';
// Any control but the white space of a page, and any bidi control, sent as it is.
const RAW = /\p{Bidi_Control}|(?![\t\n\r])\p{Cc}/u;

let service: TestService;
let applicationId: string;
let staff: StaffClient;

beforeAll(async () => {
  service = await startTestService();
  const cipher = new FieldCipher(testDataKeys(TEST_KEY_A));
  // Written straight to the repository, as the rows of an older release were: no field rule in between.
  const applications = new ApplicationRepository(service.db, cipher);
  applicationId = await applications.createDraft('voice');
  await applications.saveFields(applicationId, {
    permitType: 'temporary_food_event',
    businessName: OVERRIDDEN,
    applicantName: CONTROLLED,
    menuItems: ['Carnitas\u2066 tacos', 'Horchata'],
  });
  const calls = new CallRepository(service.db, cipher);
  await calls.recordIncoming(CALL_SID, '+13125550199', 'completed');
  await calls.attachApplication(CALL_SID, applicationId, 'test', 'test-model');
  await calls.saveTurn(CALL_SID, {
    itemId: 'item_1',
    position: 0,
    role: 'caller',
    text: `It is ${OVERRIDDEN}.`,
    offsetMs: 0,
  });
  await addStaffUser(service.db, CLERK.username, 'staff', CLERK.password);
  staff = new StaffClient(service.url);
  expect((await staff.signIn(CLERK.username, CLERK.password)).status).toBe(303);
});
afterAll(async () => {
  await service.close();
});

describe('hidden characters in the staff console', () => {
  it('when an application stored with a bidi override and controls is opened, then the page shows them written out and sends none', async () => {
    const page = await staff.get(`/staff/applications/${applicationId}`);

    expect(page.status).toBe(200);
    expect(page.html).not.toMatch(RAW);
    expect(page.html).toContain('Taco \\u202EocoL');
    expect(page.html).toContain('Rosa\\u0007 Delgado\\u001B[2J');
    expect(page.html).toContain('Carnitas\\u2066 tacos');
  });

  it('when a call whose transcript holds a bidi override is opened, then the page shows it written out and sends none', async () => {
    const page = await staff.get(`/staff/calls/${CALL_SID}`);

    expect(page.status).toBe(200);
    expect(page.html).not.toMatch(RAW);
    expect(page.html).toContain('It is Taco \\u202EocoL.');
  });
});

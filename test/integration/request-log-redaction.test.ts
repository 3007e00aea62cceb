import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReviewLinks } from '../../src/sms/review-link.ts';
import { CallRepository } from '../../src/store/call-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { eventFormFields, FormClient } from '../support/form-client.ts';
import { testDataKeys, TEST_KEY_A } from '../support/keys.ts';
import { CLERK, StaffClient, addStaffUser } from '../support/staff.ts';
import { draftTools, startWebService, type WebService } from '../support/web-service.ts';

/**
 * The request log over real HTTP: every line the service writes (service.log)
 * is read back for what must never be in it. A staff search by phone carries
 * the number in its query string, and the review and resume links carry the
 * token that opens an application in their path.
 */

const CALL_SID = `CA${'5'.repeat(32)}`;
const CALLER = '+13125550142';
// The number as staff type it; any of its digits in a row would give it away.
const TYPED = ['+13125550142', '312-555-0142', '(312) 555-0142', '3125550142'];
const NUMBER_TRACES = ['5550142', '555-0142', '555%2D0142'];

let service: WebService;
beforeAll(async () => {
  service = await startWebService();
  await addStaffUser(service.db, CLERK.username, 'staff', CLERK.password);
  await new CallRepository(service.db, new FieldCipher(testDataKeys(TEST_KEY_A))).recordIncoming(
    CALL_SID,
    CALLER,
    'completed',
  );
});
afterAll(async () => {
  await service.close();
});

const pathOf = (link: string): string => new URL(link).pathname;

describe('the request log', () => {
  it('when staff search by phone number, signed out and signed in, then no log line holds the number', async () => {
    const staff = new StaffClient(service.url);
    // Signed out, the search is carried to the sign-in page in its next parameter (and the Location header).
    const bounced = await staff.get(`/staff/calls?q=${encodeURIComponent(TYPED[0]!)}`);
    expect(bounced.status).toBe(303);
    expect(bounced.headers.get('location')).toContain('5550142');
    await staff.get(bounced.headers.get('location') ?? '');
    expect((await staff.signIn(CLERK.username, CLERK.password)).status).toBe(303);

    for (const typed of TYPED) {
      const list = await staff.get(`/staff/calls?q=${encodeURIComponent(typed)}&outcome=`);
      expect(list.html, typed).toContain(CALL_SID);
    }

    const log = service.log.text;
    expect(log).toMatch(/"url":"\/staff\/calls\?q=\[redacted\]&outcome="/);
    for (const trace of NUMBER_TRACES) expect(log).not.toContain(trace);
  });

  it('when the review link and the resume link are visited, then no log line holds either token', async () => {
    const applicant = new FormClient(service.url);
    const form = await applicant.openForm('temporary_food_event');
    const submitted = await applicant.post('/apply', { ...eventFormFields(), _csrf: form.csrf, formId: form.formId });
    const reference = /id="reference">(FP-\d{4}-[0-9A-Z]{6})</.exec(submitted.html)?.[1] ?? '';
    expect(reference).not.toBe('');
    const reviewPath = pathOf(
      new ReviewLinks(service.config.publicBaseUrl, testDataKeys(TEST_KEY_A)).linkFor(reference),
    );
    const { applications, links } = draftTools(service);
    const resumePath = pathOf(links.linkFor(await applications.startDraft('voice')));

    const review = await fetch(service.url + reviewPath);
    expect(review.status).toBe(200);
    await review.text();
    const resume = await fetch(service.url + resumePath);
    expect(resume.status).toBe(200);
    await resume.text();

    const log = service.log.text;
    expect(log).toContain('"url":"/s/[token]"');
    expect(log).toContain('"url":"/apply/resume/[token]"');
    for (const token of [reviewPath.slice('/s/'.length), resumePath.slice('/apply/resume/'.length)])
      expect(log).not.toContain(token);
    expect(log).not.toContain(reviewPath.slice(-16));
  });
});

describe('the request log headers', () => {
  it('when a request carries cookies, credentials and headers of its own, then its line keeps only the allowed ones', async () => {
    const requestId = 'headers-test-0001';
    const response = await fetch(`${service.url}/apply`, {
      headers: {
        'user-agent': 'HeaderTest/1.0',
        'accept-language': 'es-US',
        'x-request-id': requestId,
        cookie: 'permitline.sid=cookie-value-0142',
        authorization: 'Bearer authorization-value-0142',
        'x-twilio-signature': 'signature-value-0142',
        'x-forwarded-for': '203.0.113.42',
        'x-custom-thing': 'custom-value-0142',
      },
    });
    expect(response.status).toBe(200);
    await response.text();

    const line = service.log.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { requestId?: string; req?: { headers?: Record<string, string> } })
      .find((l) => l.requestId === requestId && l.req !== undefined);
    expect(line?.req?.headers).toMatchObject({
      'user-agent': 'HeaderTest/1.0',
      'accept-language': 'es-US',
      'x-request-id': requestId,
    });
    for (const name of ['cookie', 'authorization', 'x-twilio-signature', 'x-forwarded-for', 'x-custom-thing'])
      expect(line?.req?.headers, name).not.toHaveProperty(name);
    for (const value of ['cookie-value', 'authorization-value', 'signature-value', '203.0.113.42', 'custom-value'])
      expect(service.log.text).not.toContain(value);
  });
});

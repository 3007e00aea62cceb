import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RESUME_PATH_PREFIX, ResumeLinks } from '../../src/web/resume-link.ts';
import { testDataKeys, TEST_KEY_B } from '../support/keys.ts';
import { eventFormFields, FormClient, hiddenValue } from '../support/form-client.ts';
import { draftTools, startWebService, type WebService } from '../support/web-service.ts';
import { clearApplications } from '../support/database.ts';

/**
 * "Resume anywhere" over real HTTP against a real libSQL file: a draft begun
 * on the phone is opened from its signed link, filled in, and submitted on
 * the web as the same application.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
const YEAR = new Date().getFullYear() + 1;
const HOSTILE_BUSINESS = `Rosa's "Taco" <Loco> & Co`;
/** Fictional caller (555-01xx); every one of these must stay out of tokens and logs. */
const PERSONAL = [
  'Rosa Delgado',
  'Taco',
  'Loco',
  '2125550142',
  '555-0142',
  'rosa@example.org',
  'Carnitas',
  'Harvest Moon',
  '100 Main Street',
  'Sam Okafor',
];

/** What the caller had said before the call could not go on. */
const VOICE_ANSWERS = {
  permitType: 'temporary_food_event',
  applicantName: 'Rosa Delgado',
  businessName: HOSTILE_BUSINESS,
  entityType: 'llc',
  contactPhone: '(212) 555-0142',
  email: 'rosa@example.org',
  menuItems: ['Carnitas tacos', 'Horchata <cold>'],
  servesTcsFoods: true,
  tcsItemCount: 1,
  eventName: 'Harvest Moon Street Fair',
  eventStartDate: `${YEAR}-03-03`,
  dailyOpenTime: '9am',
  smsConsent: true,
  attestation: true,
} as const;

/** The whole form as the browser posts it after the applicant filled in the rest: the prefilled answers as shown, the email erased. */
function completedForm(csrf: string, token: string): Record<string, string> {
  return {
    ...eventFormFields(),
    applicantName: 'Rosa Delgado',
    businessName: HOSTILE_BUSINESS,
    contactPhone: '212-555-0142',
    email: '',
    menuItems: 'Carnitas tacos\r\nHorchata <cold>',
    eventStartDate: `March 3, ${YEAR}`,
    eventEndDate: `March 4, ${YEAR}`,
    dailyOpenTime: '9 AM',
    _csrf: csrf,
    resume: token,
  };
}

let service: WebService;
let links: ResumeLinks;
let tools: ReturnType<typeof draftTools>;
let client: FormClient;
const yesterday = new Date(Date.now() - DAY_MS);

beforeAll(async () => {
  service = await startWebService();
  // The phone path saved its answers a day ago, so a later change shows in captured_at.
  tools = draftTools(service, { repositoryNow: () => yesterday });
  links = tools.links;
});
afterAll(async () => {
  await service.close();
});
beforeEach(async () => {
  client = new FormClient(service.url);
  await clearApplications(service.db);
});

async function voiceDraft(
  answers: Readonly<Record<string, unknown>> = VOICE_ANSWERS,
  channel: 'voice' | 'ivr' = 'voice',
): Promise<string> {
  const id = await tools.applications.startDraft(channel);
  const update = await tools.applications.updateDraft(id, answers);
  expect(update.problems).toEqual([]);
  return id;
}

const pathOf = (link: string) => new URL(link).pathname;
const tokenOf = (link: string) => pathOf(link).slice(RESUME_PATH_PREFIX.length);

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await service.db.execute(sql)).rows.map((row) => ({ ...row }));
}

describe('the resume link', () => {
  it("when a voice draft's link is opened, then the form for its permit type shows every answer given, escaped, bound to that draft", async () => {
    const id = await voiceDraft();
    const link = links.linkFor(id);
    const page = await client.get(pathOf(link));

    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.html).toContain('Temporary food event permit application');
    expect(page.html).toContain('We kept the answers you have already given.');
    expect(page.html).toContain('value="Rosa Delgado"');
    expect(page.html).toContain('value="Rosa&#39;s &quot;Taco&quot; &lt;Loco&gt; &amp; Co"');
    expect(page.html).not.toContain('<Loco>');
    expect(page.html).toContain('<option value="llc" selected>');
    expect(page.html).toContain('value="212-555-0142"');
    expect(page.html).toContain('value="rosa@example.org"');
    expect(page.html).toContain('>Carnitas tacos\nHorchata &lt;cold&gt;</textarea>');
    expect(page.html).toContain('id="field-servesTcsFoods-yes" name="servesTcsFoods" value="yes" checked>');
    expect(page.html).toContain('id="field-smsConsent-yes" name="smsConsent" value="yes" checked>');
    expect(page.html).toContain('value="1" min="1"');
    expect(page.html).toContain('value="Harvest Moon Street Fair"');
    expect(page.html).toContain(`value="March 3, ${YEAR}"`);
    expect(page.html).toContain('value="9 AM"');
    // Not yet answered: empty.
    expect(page.html).toMatch(/<input type="text" value="" id="field-eventAddress"/);
    // The declaration is made on the web for what is on screen, so it is not ticked for the applicant.
    expect(page.html).toMatch(/<input type="checkbox" value="yes" id="field-attestation" name="attestation" required>/);
    expect(page.html).toContain('<form method="post" action="/apply/resume" novalidate>');
    expect(hiddenValue(page.html, 'resume')).toBe(tokenOf(link));
    expect(page.html).not.toContain('name="formId"');
  });

  it('when the completed form is posted, then that same draft is submitted: one application, its id and channel unchanged, one SMS queued', async () => {
    const id = await voiceDraft();
    const other = await voiceDraft({ permitType: 'mobile_food_unit', businessName: 'Lantern Cart' });
    const token = tokenOf(links.linkFor(id));
    const page = await client.get(`${RESUME_PATH_PREFIX}${token}`);
    // A form id naming another draft is ignored: only the token says which draft this is.
    const res = await client.post('/apply/resume', {
      ...completedForm(hiddenValue(page.html, '_csrf'), token),
      formId: other,
    });

    expect(res.status).toBe(200);
    const reference = /id="reference">(FP-\d{4}-[2-9A-HJKMNP-Z]{6})</.exec(res.html)?.[1];
    expect(reference).toBeDefined();
    expect(res.html).toContain('We will also send it to you by text message.');
    expect(await rows('SELECT id, status, channel, reference FROM applications ORDER BY status')).toEqual([
      { id: other, status: 'draft', channel: 'voice', reference: null },
      { id, status: 'submitted', channel: 'voice', reference },
    ]);
    expect(await rows('SELECT application_id, status FROM sms_outbox')).toEqual([
      { application_id: id, status: 'pending' },
    ]);

    const stored = await tools.repository.find(id);
    expect(stored?.fields).toMatchObject({
      businessName: HOSTILE_BUSINESS,
      contactPhone: '+12125550142',
      eventStartDate: `${YEAR}-03-03`,
      dailyOpenTime: '09:00',
      eventEndDate: `${YEAR}-03-04`,
    });
    expect(stored?.fields.email).toBeUndefined();
    // Answers left as they were keep the time the caller gave them; new ones and the attestation are from now.
    expect(stored?.capturedAt.applicantName).toBe(yesterday.toISOString());
    expect(stored?.capturedAt.eventStartDate).toBe(yesterday.toISOString());
    expect(stored?.capturedAt.eventAddress).not.toBe(yesterday.toISOString());
    expect(stored?.capturedAt.attestation).not.toBe(yesterday.toISOString());
    expect((await tools.repository.find(other))?.fields).toEqual({
      permitType: 'mobile_food_unit',
      businessName: 'Lantern Cart',
    });

    const again = await client.post('/apply/resume', completedForm(hiddenValue(page.html, '_csrf'), token));
    expect(again.status).toBe(200);
    expect(again.html).toContain(`id="reference">${reference ?? ''}<`);
    expect(await rows('SELECT count(*) AS n FROM sms_outbox')).toEqual([{ n: 1 }]);

    const logged = service.log.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged.find((l) => l.msg === 'resumed application submitted')).toMatchObject({
      applicationId: id,
      startedOn: 'voice',
      finishedOn: 'web',
      alreadySubmitted: false,
    });
  });

  it('when a field is wrong, then the form comes back 400 with the message, the answers kept, still bound to the draft, and nothing is stored', async () => {
    const id = await voiceDraft();
    const token = tokenOf(links.linkFor(id));
    const page = await client.get(`${RESUME_PATH_PREFIX}${token}`);
    const before = await tools.repository.find(id);
    const res = await client.post('/apply/resume', {
      ...completedForm(hiddenValue(page.html, '_csrf'), token),
      eventEndDate: `March 2, ${YEAR}`,
      eventAddress: '7 Depot Road',
    });

    expect(res.status).toBe(400);
    expect(res.html).toContain(
      `The last day of the event, March 2, ${YEAR}, is before the first day, March 3, ${YEAR}`,
    );
    expect(res.html).toContain('value="7 Depot Road"');
    expect(hiddenValue(res.html, 'resume')).toBe(token);
    expect(await tools.repository.find(id)).toEqual(before);
    expect(await rows('SELECT count(*) AS n FROM sms_outbox')).toEqual([{ n: 0 }]);
  });

  it('when the draft has no permit type yet, then the choice comes first and leads back to the same draft, answers filled in', async () => {
    const id = await voiceDraft({ applicantName: 'Rosa Delgado', businessName: 'Taco Loco' }, 'ivr');
    const path = pathOf(links.linkFor(id));
    const chooser = await client.get(path);

    expect(chooser.status).toBe(200);
    expect(chooser.html).toContain('Which permit do you need?');
    expect(chooser.html).toContain(`<form method="get" action="${path}">`);
    const form = await client.get(`${path}?type=mobile_food_unit`);
    expect(form.status).toBe(200);
    expect(form.html).toContain('Mobile food unit permit application');
    expect(form.html).toContain('value="Taco Loco"');
    expect(form.html).toContain(`href="${path}?choose"`);

    const typed = pathOf(links.linkFor(await voiceDraft()));
    expect((await client.get(`${typed}?choose`)).html).toContain('Which permit do you need?');
  });

  it('when the link is forged, altered or names no application, then it is a 404 in plain words', async () => {
    const id = await voiceDraft();
    const token = tokenOf(links.linkFor(id));
    const altered = `${token.slice(0, 5)}${token[5] === 'A' ? 'B' : 'A'}${token.slice(6)}`;
    const otherKey = tokenOf(new ResumeLinks(service.config.publicBaseUrl, testDataKeys(TEST_KEY_B)).linkFor(id));
    const noSuchDraft = tokenOf(links.linkFor('7d0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b'));

    for (const bad of [altered, otherKey, noSuchDraft, 'A'.repeat(43), 'not-a-token', `${token}x`]) {
      const res = await client.get(`${RESUME_PATH_PREFIX}${bad}`);
      expect(res.status, bad).toBe(404);
      expect(res.html).toContain('This link is not valid. Check that the whole link from the text message was opened.');
      expect(res.html).not.toContain('Rosa');
    }
  });

  it('when a post carries a token altered to name another draft, then it is refused and that draft is untouched', async () => {
    const mine = await voiceDraft();
    const victim = await voiceDraft({ permitType: 'temporary_food_event', applicantName: 'Sam Okafor' });
    const token = tokenOf(links.linkFor(mine));
    const page = await client.get(`${RESUME_PATH_PREFIX}${token}`);
    const bytes = Buffer.from(token, 'base64url');
    Buffer.from(victim.replaceAll('-', ''), 'hex').copy(bytes);

    const res = await client.post(
      '/apply/resume',
      completedForm(hiddenValue(page.html, '_csrf'), bytes.toString('base64url')),
    );
    const bare = await client.post('/apply/resume', {
      ...completedForm(hiddenValue(page.html, '_csrf'), token),
      resume: '',
    });

    expect([res.status, bare.status]).toEqual([404, 404]);
    expect(await rows('SELECT status FROM applications')).toEqual([{ status: 'draft' }, { status: 'draft' }]);
    expect((await tools.repository.find(victim))?.fields).toEqual({
      permitType: 'temporary_food_event',
      applicantName: 'Sam Okafor',
    });
  });

  it('when the post has no CSRF token, or one from another browser, then it is refused with 403 and the draft stays a draft', async () => {
    const id = await voiceDraft();
    const token = tokenOf(links.linkFor(id));
    const page = await client.get(`${RESUME_PATH_PREFIX}${token}`);
    const missing = await client.post('/apply/resume', { ...completedForm('', token), _csrf: '' });
    const stolen = await new FormClient(service.url).post(
      '/apply/resume',
      completedForm(hiddenValue(page.html, '_csrf'), token),
    );

    expect([missing.status, stolen.status]).toEqual([403, 403]);
    expect(await rows('SELECT status FROM applications')).toEqual([{ status: 'draft' }]);
  });

  it('when the link has expired, then opening or posting it answers 410, saying to start again or call, and the draft is untouched', async () => {
    const id = await voiceDraft();
    const eightDaysAgo = Date.now() - 8 * DAY_MS;
    const expired = tokenOf(draftTools(service, { linksNow: () => eightDaysAgo }).links.linkFor(id));
    const res = await client.get(`${RESUME_PATH_PREFIX}${expired}`);

    expect(res.status).toBe(410);
    expect(res.html).toContain('<h1>This link has expired</h1>');
    expect(res.html).toContain('<a href="/apply">start a new application</a>, or call us again');
    expect(res.html).not.toContain('Rosa');

    const fresh = await client.get(`${RESUME_PATH_PREFIX}${tokenOf(links.linkFor(id))}`);
    const post = await client.post('/apply/resume', completedForm(hiddenValue(fresh.html, '_csrf'), expired));
    expect(post.status).toBe(410);
    expect(await rows('SELECT status FROM applications')).toEqual([{ status: 'draft' }]);
  });

  it('when the application was already submitted, then the link shows its reference and none of its answers', async () => {
    const id = await voiceDraft();
    await tools.applications.updateDraft(id, { ...eventAnswersToFinish(), attestation: true });
    const submitted = await tools.applications.submit(id);
    if (!submitted.ok) throw new Error(JSON.stringify(submitted.problems));
    const res = await client.get(pathOf(links.linkFor(id)));

    expect(res.status).toBe(200);
    expect(res.html).toContain('This application has already been sent');
    expect(res.html).toContain(`id="reference">${submitted.reference}<`);
    expect(res.html).not.toContain('<form');
    for (const secret of PERSONAL) expect(res.html).not.toContain(secret);
  });

  it('when the link is read, then its token holds the draft id and an expiry only, and the log holds neither answers nor tokens', async () => {
    const id = await voiceDraft();
    const link = links.linkFor(id);
    const token = tokenOf(link);
    const bytes = Buffer.from(token, 'base64url');

    expect(bytes).toHaveLength(32);
    expect(bytes.subarray(0, 16).toString('hex')).toBe(id.replaceAll('-', ''));
    expect(bytes.readUInt32BE(16) * 1000).toBeGreaterThan(Date.now());
    for (const secret of PERSONAL) {
      expect(link).not.toContain(secret);
      expect(bytes.toString('latin1')).not.toContain(secret);
    }

    const page = await client.get(pathOf(link));
    await client.post('/apply/resume', completedForm(hiddenValue(page.html, '_csrf'), token));
    expect(await rows('SELECT status FROM applications')).toEqual([{ status: 'submitted' }]);
    const logged = service.log.text;
    // The control: this very request was logged, under its path with the token taken out.
    expect(logged).toContain('"url":"/apply/resume/[token]"');
    expect(logged).not.toContain(token);
    for (const secret of PERSONAL) expect(logged, `log contains "${secret}"`).not.toContain(secret);
  });
});

/** The event answers the caller had not given yet, as the phone path would save them. */
function eventAnswersToFinish(): Record<string, unknown> {
  return {
    eventAddress: '100 Main Street, Springfield',
    eventCoordinatorName: 'Sam Okafor',
    eventCoordinatorPhone: '212-555-0187',
    eventEndDate: `${YEAR}-03-04`,
    dailyCloseTime: '6:30 pm',
    healthDistrict: 'Central',
    foodPreparation: 'on_site',
    certifiedFoodHandler: 'Rosa Delgado',
  };
}

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SmsOutboxRepository } from '../../src/store/sms-outbox-repository.ts';
import { RESUME_PATH_PREFIX } from '../../src/web/resume-link.ts';
import { eventFormFields, FormClient, hiddenValue } from '../support/form-client.ts';
import { cipher } from '../support/sms.ts';
import { draftTools, startWebService, type WebService } from '../support/web-service.ts';
import { clearApplications } from '../support/database.ts';

/**
 * "Save and finish later" over real HTTP on the whole service and a libSQL file: the form's second button keeps
 * what is valid as a draft, the page after it gives the signed link back to it, and the link can be texted once.
 */

const YEAR = new Date().getFullYear() + 1;
/** Fictional applicant (555-01xx). */
const PHONE_TYPED = '(312) 555-0166';
const PHONE_E164 = '+13125550166';

let service: WebService;
let client: FormClient;

beforeAll(async () => {
  // Every test posts several forms from 127.0.0.1; the per-address limit has its own test (abuse-limits-web).
  service = await startWebService({ RATE_LIMIT_FORM_POSTS_PER_HOUR: '1000' });
});
afterAll(async () => {
  await service.close();
});
beforeEach(async () => {
  client = new FormClient(service.url);
  await clearApplications(service.db);
});

/** Part of an event application as typed so far: three answers, one of them (the email) not valid. */
function halfFilled(csrf: string, formId: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    _csrf: csrf,
    formId,
    permitType: 'temporary_food_event',
    businessName: 'Harvest Moon Tacos',
    contactPhone: PHONE_TYPED,
    email: 'rosa at example',
    eventStartDate: `June 5 to June 7, ${YEAR}`,
    ...extra,
  };
}

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await service.db.execute(sql)).rows.map((row) => ({ ...row }));
}

const linkOn = (html: string): string => {
  const link = /id="resume-link" href="([^"]+)"/.exec(html)?.[1];
  if (link === undefined) throw new Error('no resume link on the page');
  return link;
};

describe('save and finish later', () => {
  it('when half a form is saved, then the valid answers are kept as a web draft, the invalid one is named, and the link opens the form with them', async () => {
    const form = await client.openForm('temporary_food_event');
    expect(form.html).toContain('formaction="/apply/save"');
    expect(form.html).toContain('Save and finish later');

    const saved = await client.post('/apply/save', halfFilled(form.csrf, form.formId));

    expect(saved.status).toBe(200);
    expect(saved.headers.get('cache-control')).toBe('no-store');
    expect(saved.html).toContain('Your answers are saved');
    expect(saved.html).toContain('It works for 7 days');
    expect(saved.html).toMatch(/id="not-saved">[\s\S]*email address does not look right/);
    expect(await rows('SELECT id, channel, status, language FROM applications')).toEqual([
      { id: form.formId, channel: 'web', status: 'draft', language: 'en' },
    ]);
    const { repository } = draftTools(service);
    const stored = await repository.find(form.formId);
    expect(stored?.fields).toEqual({
      permitType: 'temporary_food_event',
      businessName: 'Harvest Moon Tacos',
      contactPhone: PHONE_E164,
      // A range given for the first day fills the last day too.
      eventStartDate: `${YEAR}-06-05`,
      eventEndDate: `${YEAR}-06-07`,
    });
    // The phone number the applicant gave is offered for the text.
    expect(saved.html).toContain('value="(312) 555-0166"');

    const link = linkOn(saved.html);
    const resumed = await client.get(new URL(link).pathname);
    expect(resumed.status).toBe(200);
    expect(resumed.html).toContain('value="Harvest Moon Tacos"');
    expect(resumed.html).toContain(`value="June 7, ${YEAR}"`);
    expect(resumed.html).toContain('formaction="/apply/save"');
  });

  it('when the same form is saved twice, then it is one draft, and a save from the resumed form updates that draft', async () => {
    const form = await client.openForm('temporary_food_event');
    await client.post('/apply/save', halfFilled(form.csrf, form.formId));
    const again = await client.post('/apply/save', halfFilled(form.csrf, form.formId, { email: 'rosa@example.org' }));
    expect(again.html).not.toContain('id="not-saved"');
    expect(await rows('SELECT count(*) AS n FROM applications')).toEqual([{ n: 1 }]);

    const token = new URL(linkOn(again.html)).pathname.slice(RESUME_PATH_PREFIX.length);
    const page = await client.get(`${RESUME_PATH_PREFIX}${token}`);
    const fromResumed = await client.post('/apply/save', {
      _csrf: hiddenValue(page.html, '_csrf'),
      resume: token,
      permitType: 'temporary_food_event',
      businessName: 'Harvest Moon Taqueria',
      // A form id naming another application is not read when the link's token is there.
      formId: crypto.randomUUID(),
    });
    expect(fromResumed.status).toBe(200);
    expect(await rows('SELECT id FROM applications')).toEqual([{ id: form.formId }]);
    const stored = await draftTools(service).repository.find(form.formId);
    expect(stored?.fields.businessName).toBe('Harvest Moon Taqueria');
    expect(stored?.fields.email).toBe('rosa@example.org');
  });

  it('when the link is asked for by text, then one web-link text with the link is queued to that number, and asking again sends no second one', async () => {
    const form = await client.openForm('temporary_food_event');
    const saved = await client.post('/apply/save', halfFilled(form.csrf, form.formId));
    const token = hiddenValue(saved.html, 'resume');

    const texted = await client.post('/apply/saved/text', {
      _csrf: hiddenValue(saved.html, '_csrf'),
      resume: token,
      phone: '312.555.0166',
    });
    expect(texted.status).toBe(200);
    expect(texted.html).toContain('The link is on its way to (312) 555-0166');
    const [row] = await rows(`SELECT id, kind, status FROM sms_outbox WHERE application_id = '${form.formId}'`);
    expect(row).toMatchObject({ kind: 'web-link', status: 'pending' });
    const text = await new SmsOutboxRepository(service.db, cipher()).find(String(row?.id));
    expect(text?.toPhone).toBe(PHONE_E164);
    expect(text?.body).toMatch(
      /^Food permit line: finish your application online at \S+\/apply\/resume\/\S+ The link works for 7 days\. Reply STOP to opt out\.$/,
    );
    // The number is encrypted at rest.
    expect(JSON.stringify(await rows('SELECT * FROM sms_outbox'))).not.toContain('5550166');

    const twice = await client.post('/apply/saved/text', {
      _csrf: hiddenValue(saved.html, '_csrf'),
      resume: token,
      phone: PHONE_TYPED,
    });
    expect(twice.html).toContain('has already been texted');
    expect(await rows('SELECT count(*) AS n FROM sms_outbox')).toEqual([{ n: 1 }]);
    expect(service.log.text).not.toContain('5550166');
    expect(service.log.text).not.toContain(token);
  });

  it('when the number to text is not a usable one, then the page comes back 400 saying why, with the link still there, and nothing is queued', async () => {
    const form = await client.openForm('temporary_food_event');
    const saved = await client.post('/apply/save', halfFilled(form.csrf, form.formId));
    const post = (phone: string) =>
      client.post('/apply/saved/text', {
        _csrf: hiddenValue(saved.html, '_csrf'),
        resume: hiddenValue(saved.html, 'resume'),
        phone,
      });

    const short = await post('555 0166');
    expect(short.status).toBe(400);
    expect(short.html).toContain('a US number has ten');
    expect(short.html).toContain('aria-invalid="true"');
    expect(linkOn(short.html)).toBe(linkOn(saved.html));
    const abroad = await post('+44 20 7946 0958');
    expect(abroad.status).toBe(400);
    expect(abroad.html).toContain('we can only take US and Canadian numbers');
    expect(await rows('SELECT count(*) AS n FROM sms_outbox')).toEqual([{ n: 0 }]);
  });

  it('when the text is asked for with a forged link, or without the form token, then it is refused and nothing is queued', async () => {
    const form = await client.openForm('temporary_food_event');
    const saved = await client.post('/apply/save', halfFilled(form.csrf, form.formId));
    const token = hiddenValue(saved.html, 'resume');
    const forged = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    const refused = await client.post('/apply/saved/text', {
      _csrf: hiddenValue(saved.html, '_csrf'),
      resume: forged,
      phone: PHONE_TYPED,
    });
    expect(refused.status).toBe(404);
    const noCsrf = await client.post('/apply/saved/text', { resume: token, phone: PHONE_TYPED });
    expect(noCsrf.status).toBe(403);
    expect(await rows('SELECT count(*) AS n FROM sms_outbox')).toEqual([{ n: 0 }]);
  });

  it('when a form already sent is saved again (the back button), then the applicant is told it was sent and nothing changes', async () => {
    const form = await client.openForm('temporary_food_event');
    const sent = await client.post('/apply', { ...eventFormFields(), _csrf: form.csrf, formId: form.formId });
    expect(sent.status).toBe(200);
    const saved = await client.post('/apply/save', halfFilled(form.csrf, form.formId));
    expect(saved.status).toBe(200);
    expect(saved.html).toContain('This application has already been sent');
    expect(saved.html).not.toContain('id="resume-link"');
    const stored = await draftTools(service).repository.find(form.formId);
    expect(stored?.fields.businessName).not.toBe('Harvest Moon Tacos');
  });

  it('when the form is in Spanish, then the saved page and the text are Spanish, and the draft is kept in Spanish', async () => {
    const page = await client.get('/apply?type=temporary_food_event&lang=es');
    expect(page.html).toContain('Guardar y terminar más tarde');
    const saved = await client.post(
      '/apply/save',
      halfFilled(hiddenValue(page.html, '_csrf'), hiddenValue(page.html, 'formId'), { lang: 'es' }),
    );
    expect(saved.html).toContain('<html lang="es">');
    expect(saved.html).toContain('Guardamos sus respuestas');
    expect(saved.html).toMatch(/id="not-saved">[\s\S]*correo/);
    expect(await rows('SELECT language FROM applications')).toEqual([{ language: 'es' }]);

    const texted = await client.post('/apply/saved/text', {
      _csrf: hiddenValue(saved.html, '_csrf'),
      resume: hiddenValue(saved.html, 'resume'),
      phone: PHONE_TYPED,
      lang: 'es',
    });
    expect(texted.html).toContain('El enlace va en camino a');
    const [row] = await rows('SELECT id FROM sms_outbox');
    const text = await new SmsOutboxRepository(service.db, cipher()).find(String(row?.id));
    expect(text?.body).toMatch(
      /^Linea de permisos de comida: termine su solicitud en linea en \S+ El enlace funciona durante 7 dias\./,
    );
  });
});

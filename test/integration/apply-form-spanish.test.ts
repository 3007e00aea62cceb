import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationRepository } from '../../src/store/application-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { eventFormFields, FormClient, hiddenValue } from '../support/form-client.ts';
import { testDataKeys } from '../support/keys.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { CLERK, StaffClient, addStaffUser } from '../support/staff.ts';

/** The web form in Spanish over real HTTP, against the real service and a real libSQL file. */
let service: TestService;

beforeAll(async () => {
  service = await startTestService({ RATE_LIMIT_FORM_POSTS_PER_HOUR: '0' });
});
afterAll(async () => {
  await service.close();
});

const NEXT_YEAR = new Date().getFullYear() + 1;

async function spanishForm(client: FormClient): Promise<{ csrf: string; formId: string; html: string }> {
  const page = await client.get('/apply?type=temporary_food_event&lang=es');
  expect(page.status).toBe(200);
  return { csrf: hiddenValue(page.html, '_csrf'), formId: hiddenValue(page.html, 'formId'), html: page.html };
}

describe('the web form in Spanish', () => {
  it('when the browser prefers Spanish, then the form is in Spanish, marked lang="es", with a switch to English', async () => {
    const res = await fetch(`${service.url}/apply?type=temporary_food_event`, {
      headers: { 'accept-language': 'es-MX,es;q=0.9,en;q=0.5' },
    });
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toMatch(/<html lang="es"/);
    expect(html).toContain('Solicitud de permiso:');
    expect(html).toContain('Enviar solicitud');
    expect(html).toMatch(/href="[^"]*lang=en"[^>]*>English</);
  });

  it('when the browser prefers English, then the same form is in English', async () => {
    const res = await fetch(`${service.url}/apply?type=temporary_food_event`, {
      headers: { 'accept-language': 'en-US,en;q=0.9' },
    });
    const html = await res.text();
    expect(html).toMatch(/<html lang="en"/);
    expect(html).not.toContain('Enviar solicitud');
  });

  it('when a date is not one, then the problem is told in Spanish, quoting what was typed, and nothing is stored', async () => {
    const client = new FormClient(service.url);
    const form = await spanishForm(client);
    const res = await client.post('/apply', {
      ...eventFormFields(),
      eventStartDate: 'pronto',
      lang: 'es',
      _csrf: form.csrf,
      formId: form.formId,
    });
    expect(res.status).toBe(400);
    expect(res.html).toMatch(/<html lang="es"/);
    expect(res.html).toContain('como una fecha; díganos una fecha como 3 de marzo de 2027 o 03/03/2027.');
    expect(res.html).toContain('pronto');
    const stored = await service.db.execute({
      sql: 'SELECT count(*) AS n FROM applications WHERE id = ?',
      args: [form.formId],
    });
    expect(Number(stored.rows[0]?.n)).toBe(0);
  });

  it('when dates and hours are written in Spanish, then they are stored as the same dates and hours, the application in Spanish, and its status page is in Spanish', async () => {
    const client = new FormClient(service.url);
    const form = await spanishForm(client);
    const res = await client.post('/apply', {
      ...eventFormFields(),
      eventStartDate: `el tres de marzo de ${NEXT_YEAR}`,
      eventEndDate: `el cuatro de marzo de ${NEXT_YEAR}`,
      dailyOpenTime: 'de nueve a cinco',
      dailyCloseTime: '',
      lang: 'es',
      _csrf: form.csrf,
      formId: form.formId,
    });
    expect(res.status, res.html).toBe(200);
    expect(res.html).toContain('Solicitud recibida');
    expect(res.html).toContain('Lo que envió');
    const application = await new ApplicationRepository(service.db, new FieldCipher(testDataKeys())).find(form.formId);
    expect(application?.language).toBe('es');
    expect(application?.fields).toMatchObject({
      eventStartDate: `${NEXT_YEAR}-03-03`,
      eventEndDate: `${NEXT_YEAR}-03-04`,
      dailyOpenTime: '09:00',
      dailyCloseTime: '17:00',
    });
    const statusLink = /id="status-link" href="([^"]+)"/.exec(res.html)?.[1] ?? '';
    const status = await fetch(`${service.url}${new URL(statusLink).pathname}`);
    const statusHtml = await status.text();
    expect(status.status).toBe(200);
    expect(statusHtml).toMatch(/<html lang="es"/);
    expect(statusHtml).toContain('Su solicitud');

    // Staff read the console in English, and see which language the applicant was served in.
    await addStaffUser(service.db, CLERK.username, 'staff', CLERK.password);
    const staff = new StaffClient(service.url);
    expect((await staff.signIn(CLERK.username, CLERK.password)).status).toBe(303);
    const staffPage = await staff.get(`/staff/applications/${form.formId}`);
    expect(staffPage.status).toBe(200);
    expect(staffPage.html).toContain('<dd id="application-language">Spanish</dd>');
  });
});

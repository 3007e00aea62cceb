import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../support/form-client.ts';
import { startTestService, type TestService } from '../support/service.ts';

/**
 * The department's name and public phone number (DEPARTMENT_NAME, DEPARTMENT_PHONE) on the applicant's pages, over
 * real HTTP on the whole service, in both languages: the name in every page's header, the number in the form's
 * intro as people write it and as a link a phone can call. Fictional department and number.
 */
const NAME = 'Lantern County Public Health';
const PHONE = '+12125550123';
let configured: TestService;
let plain: TestService;

beforeAll(async () => {
  configured = await startTestService({ DEPARTMENT_NAME: NAME, DEPARTMENT_PHONE: PHONE });
  plain = await startTestService();
});
afterAll(async () => {
  await configured.close();
  await plain.close();
});

const brandOf = (html: string): string => /<p class="brand">([^<]*)<\/p>/.exec(html)?.[1] ?? '(no brand)';
/** The first step's intro paragraph, tags and all. */
const introOf = (html: string): string => /<h1>[^<]*<\/h1>\s*<p>([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '(no intro)';

describe("the department's name and phone number on the web form", () => {
  it('when both are set, then the header names the department and the intro gives the number to call, as a tel: link', async () => {
    const page = await new FormClient(configured.url).get('/apply');
    expect(page.status).toBe(200);
    expect(brandOf(page.html)).toBe(`${NAME} · Food permit applications`);
    expect(introOf(page.html)).toContain(
      'You can also apply by phone at <a href="tel:+12125550123">(212) 555-0123</a>.',
    );
  });

  it('when both are set and the page is in Spanish, then the header and the number are there in Spanish', async () => {
    const page = await new FormClient(configured.url).get('/apply?lang=es');
    expect(page.html).toMatch(/<html lang="es"/);
    expect(brandOf(page.html)).toBe(`${NAME} · Solicitudes de permisos de comida`);
    expect(introOf(page.html)).toContain(
      'También puede solicitarlo por teléfono al <a href="tel:+12125550123">(212) 555-0123</a>.',
    );
  });

  it('when the department is named, then its other pages carry the name too: the form, the privacy notice, a missing page', async () => {
    const client = new FormClient(configured.url);
    for (const path of ['/apply?type=mobile_food_unit', '/privacy', '/no-such-page', '/privacy?lang=es']) {
      expect(brandOf((await client.get(path)).html), path).toContain(NAME);
    }
  });

  it('when neither is set, then the header has the default name and the phone sentence stays as it was, in both languages', async () => {
    const english = await new FormClient(plain.url).get('/apply');
    expect(brandOf(english.html)).toBe('Health Department · Food permit applications');
    expect(introOf(english.html)).toMatch(/^You can also apply by phone\. Answers are checked/);
    expect(english.html).not.toContain('tel:');
    const spanish = await new FormClient(plain.url).get('/apply?lang=es');
    expect(brandOf(spanish.html)).toBe('Departamento de Salud · Solicitudes de permisos de comida');
    expect(introOf(spanish.html)).toMatch(/^También puede solicitarlo por teléfono\. Las respuestas/);
  });
});

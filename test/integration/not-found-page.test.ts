import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../support/form-client.ts';
import { startTestService, type TestService } from '../support/service.ts';

/** The page for an address that names nothing, over real HTTP on the whole service, in both languages. */
let service: TestService;

beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service.close();
});

const titleOf = (html: string): string => /<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '(no title)';
const headingOf = (html: string): string => /<h1>([^<]*)<\/h1>/.exec(html)?.[1] ?? '(no heading)';

describe('the page not found', () => {
  it('when an address names no page, then its title and heading say the page was not found, not that something went wrong', async () => {
    const page = await new FormClient(service.url).get('/apply/no-such-step');
    expect(page.status).toBe(404);
    expect(titleOf(page.html)).toBe('Page not found · PermitLine');
    expect(headingOf(page.html)).toBe('Page not found');
  });

  it('when the missing page is asked for in Spanish, then its title says so in Spanish', async () => {
    const page = await new FormClient(service.url).get('/apply/no-such-step?lang=es');
    expect(page.status).toBe(404);
    expect(page.html).toMatch(/<html lang="es"/);
    expect(titleOf(page.html)).toBe('No encontramos la página · PermitLine');
    expect(headingOf(page.html)).toBe('No encontramos la página');
  });

  it('when a form post is refused, then the page is still titled as an error, not as a missing page', async () => {
    const refused = await new FormClient(service.url).post('/apply', { permitType: 'temporary_food_event' });
    expect(refused.status).toBe(403);
    expect(titleOf(refused.html)).toBe('Something went wrong · PermitLine');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIvrLines } from '../../src/ivr/ivr-lines.ts';
import { FormClient } from '../support/form-client.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { postTwilioWebhook } from '../support/twilio-webhook.ts';

/** The privacy notice: a plain page the form links to, and one sentence every caller hears. */

const PUBLIC_BASE_URL = 'https://permits.example.org';
const AUTH_TOKEN = 'privacy-test-twilio-token';
const SPOKEN = 'We use your answers only for your permit application, and the privacy notice on our website';

let service: TestService;
beforeAll(async () => {
  service = await startTestService({
    PUBLIC_BASE_URL,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    RETENTION_DAYS: '120',
    RECORD_CALLS: 'true',
  });
});
afterAll(async () => {
  await service.close();
});

describe('the privacy notice', () => {
  it('when /privacy is opened, then a plain page without scripts says what is kept, by whom, and the configured retention', async () => {
    const res = await fetch(`${service.url}/privacy`);
    const page = await res.text();

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page).toContain('<h1>Privacy notice</h1>');
    expect(page).toContain('are erased 120 days after they were last used');
    expect(page).toContain('Calls are also recorded: you are told so before you are connected');
    expect(page).toContain('A submitted application is a record the department must keep');
    expect(page).toContain('Reply STOP');
    expect(page).not.toContain('<script');
  });

  it('when /privacy is opened by a Spanish browser or with the switch, then it is the same notice in Spanish', async () => {
    const byBrowser = await (
      await fetch(`${service.url}/privacy`, { headers: { 'accept-language': 'es-MX,es;q=0.9' } })
    ).text();
    const bySwitch = await (await fetch(`${service.url}/privacy?lang=es`)).text();

    for (const page of [byBrowser, bySwitch]) {
      expect(page).toContain('<html lang="es">');
      expect(page).toContain('<h1>Aviso de privacidad</h1>');
      expect(page).toContain('se borran 120 días después de su último uso');
      expect(page).toContain('Las llamadas también se graban');
      expect(page).not.toContain('Privacy notice</h1>');
    }
    expect(bySwitch).toContain('href="/privacy?lang=en"');
  });

  it('when the form is opened, at either step, then it links to the privacy notice', async () => {
    const client = new FormClient(service.url);
    const choose = await client.get('/apply');
    const form = await client.openForm('mobile_food_unit');
    for (const html of [choose.html, form.html]) expect(html).toContain('<a href="/privacy">privacy notice</a>');
  });

  it('when a call is answered, by the assistant or by the keypad IVR, then the caller hears one sentence about the notice', async () => {
    const answer = await postTwilioWebhook(
      { serviceUrl: service.url, publicBaseUrl: PUBLIC_BASE_URL, authToken: AUTH_TOKEN },
      '/twilio/voice',
      { CallSid: `CA${'9'.repeat(32)}`, From: '+13125550199', CallStatus: 'ringing' },
    );
    expect(answer.status).toBe(200);
    const said = [...answer.body.matchAll(/<Say>([^<]*)<\/Say>/g)].map((m) => m[1]);
    expect(said[0]).toContain(SPOKEN);
    expect(answer.body.indexOf(SPOKEN)).toBeLessThan(answer.body.indexOf('<Connect'));

    expect(loadIvrLines().line('welcome')).toContain(SPOKEN);
  });
});

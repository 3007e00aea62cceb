import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventFormFields, FormClient } from '../support/form-client.ts';
import { startTestService, testConfig, type TestService } from '../support/service.ts';

/**
 * The per-address limits on the public web, and the security headers,
 * against the real service over HTTP with a real libSQL file. W2: from one
 * address, valid forms with new form ids each stored an application and
 * queued a text, without end.
 */

const REFERENCE = /id="reference">(FP-\d{4}-[2-9A-HJKMNP-Z]{6})</;

async function count(service: TestService, sql: string): Promise<number> {
  return Number((await service.db.execute(sql)).rows[0]?.n);
}

/** Retry-After in whole seconds, as the header says it. */
function retryAfterOf(headers: Headers): number {
  const value = headers.get('retry-after');
  expect(value).toMatch(/^\d+$/);
  return Number(value);
}

describe('W2: form posts from one address, with the default limits', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(async () => {
    await service.close();
  });

  it('when one address sends more forms than the limit, then the next gets 429 with Retry-After and a plain page, and every earlier one was accepted', async () => {
    const { formPostsPerHour, textsPerNumberPerDay } = testConfig().limits;
    const client = new FormClient(service.url);
    const references: string[] = [];
    for (let n = 0; n < formPostsPerHour; n++) {
      const form = await client.openForm('temporary_food_event');
      const res = await client.post('/apply', { ...eventFormFields(), _csrf: form.csrf, formId: form.formId });
      expect(res.status).toBe(200);
      references.push(REFERENCE.exec(res.html)?.[1] ?? '');
    }

    const form = await client.openForm('temporary_food_event');
    const body = new URLSearchParams({ ...eventFormFields(), _csrf: form.csrf, formId: form.formId });
    const over = await fetch(`${service.url}/apply`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: client.cookies().cookie ?? '' },
      body,
    });
    const page = await over.text();

    expect(over.status).toBe(429);
    expect(retryAfterOf(over.headers)).toBeGreaterThan(0);
    expect(retryAfterOf(over.headers)).toBeLessThanOrEqual(3600);
    expect(over.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page).toContain('Too many forms have been sent from your connection, so this one was not sent.');
    expect(page).toMatch(/Please wait (a minute|\d+ minutes), then go back to the form/);
    expect(page).toContain('<a href="/apply">Start an application</a>');
    // Nothing accepted before the limit is lost; the refused form stored nothing.
    expect(new Set(references).size).toBe(formPostsPerHour);
    expect(await count(service, "SELECT count(*) AS n FROM applications WHERE status = 'submitted'")).toBe(
      formPostsPerHour,
    );
    // And the one contact phone got no more texts than its daily cap.
    expect(await count(service, 'SELECT count(*) AS n FROM sms_outbox')).toBe(textsPerNumberPerDay);
    expect(service.log.text).toContain('"limit":"formPosts"');
  });
});

describe('the other per-address limits', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({
      RATE_LIMIT_LINK_VISITS_PER_HOUR: '2',
      RATE_LIMIT_REQUESTS_PER_MINUTE: '3',
      TRUST_PROXY: 'loopback',
    });
  });
  afterAll(async () => {
    await service.close();
  });

  const get = (path: string, forwardedFor: string) =>
    fetch(`${service.url}${path}`, { headers: { 'x-forwarded-for': forwardedFor }, redirect: 'manual' });

  it('when one address opens link pages past their limit, then it gets 429 there while the form pages still answer', async () => {
    const address = '198.51.100.7';
    expect((await get('/s/not-a-token', address)).status).toBe(404);
    expect((await get('/apply/resume/not-a-token', address)).status).toBe(404);

    const over = await get('/s/not-a-token', address);
    expect(over.status).toBe(429);
    expect(retryAfterOf(over.headers)).toBeGreaterThan(0);
    expect(await over.text()).toMatch(
      /Too many requests from your connection\. Please wait (a minute|\d+ minutes) and try again\./,
    );
    expect((await get('/apply/resume/not-a-token', address)).status).toBe(429);
    expect((await get('/apply', address)).status).toBe(200);
  });

  it('when one address asks for pages past the general limit, then it gets 429, while health probes, static files, Twilio webhooks and other addresses are not counted', async () => {
    const address = '203.0.113.9';
    for (let n = 0; n < 3; n++) expect((await get('/apply', address)).status).toBe(200);

    const over = await get('/apply?type=mobile_food_unit', address);
    expect(over.status).toBe(429);
    expect(retryAfterOf(over.headers)).toBeLessThanOrEqual(60);
    expect((await get('/health/live', address)).status).toBe(200);
    expect((await get('/health/ready', address)).status).toBe(200);
    expect((await get('/static/app.css', address)).status).toBe(200);
    // Unsigned, so refused, but by the signature check: Twilio's webhooks are never limited by address.
    const webhook = await fetch(`${service.url}/twilio/voice`, {
      method: 'POST',
      headers: { 'x-forwarded-for': address, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'CallSid=CA00000000000000000000000000000001&From=%2B13125550100',
    });
    expect(webhook.status).toBe(403);
    expect((await get('/apply', '203.0.113.10')).status).toBe(200);
  });

  it('when the addresses are IPv6 in one /64, then they share one count; another /64 has its own', async () => {
    for (const address of ['2001:db8:1:2::1', '2001:db8:1:2:aaaa::2', '2001:0db8:0001:0002:ffff::3'])
      expect((await get('/apply', address)).status).toBe(200);

    expect((await get('/apply', '2001:db8:1:2::4')).status).toBe(429);
    expect((await get('/apply', '2001:db8:1:3::1')).status).toBe(200);
  });
});

describe('security headers', () => {
  const headersOf = async (publicBaseUrl: string): Promise<Headers> => {
    const service = await startTestService({ PUBLIC_BASE_URL: publicBaseUrl });
    try {
      return (await fetch(`${service.url}/apply`)).headers;
    } finally {
      await service.close();
    }
  };

  it('when the public origin is https, then pages carry HSTS and a Permissions-Policy that denies every feature but autoplay on our own pages', async () => {
    const headers = await headersOf('https://permits.example.test');

    expect(headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
    const policy = headers.get('permissions-policy') ?? '';
    for (const denied of ['camera=()', 'microphone=()', 'geolocation=()', 'payment=()', 'usb=()', 'fullscreen=()'])
      expect(policy).toContain(denied);
    expect(policy).toContain('autoplay=(self)');
    // Nothing is allowed to any origin but our own.
    expect(policy.split(', ').filter((d) => !d.endsWith('=()'))).toEqual(['autoplay=(self)']);
  });

  it('when the public origin is plain http, then there is no HSTS, and the same Permissions-Policy', async () => {
    const headers = await headersOf('http://permits.example.test');

    expect(headers.get('strict-transport-security')).toBeNull();
    expect(headers.get('permissions-policy')).toContain('camera=()');
  });
});

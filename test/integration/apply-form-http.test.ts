import { readFileSync, existsSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventFormFields, FormClient } from '../support/form-client.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { clearApplications } from '../support/database.ts';

/** The web form over real HTTP, against the real service and a real libSQL file. */
let service: TestService;
let client: FormClient;

beforeAll(async () => {
  // These tests post far more forms from one address than a person would: the limit has its own test (abuse-limits-web).
  service = await startTestService({ RATE_LIMIT_FORM_POSTS_PER_HOUR: '0' });
});
afterAll(async () => {
  await service.close();
});
beforeEach(async () => {
  client = new FormClient(service.url);
  await clearApplications(service.db);
});

async function count(table: string): Promise<number> {
  const result = await service.db.execute(`SELECT count(*) AS n FROM ${table}`);
  return Number(result.rows[0]?.n);
}

/** Every byte libSQL has written: the database file and its write-ahead log. */
function databaseBytes(): string {
  return [service.databasePath, `${service.databasePath}-wal`]
    .filter((path) => existsSync(path))
    .map((path) => readFileSync(path).toString('latin1'))
    .join('');
}

describe('the web form', () => {
  it('when the applicant submits a complete application, then it is stored submitted with one pending SMS and no personal data in clear', async () => {
    const form = await client.openForm('temporary_food_event');
    const res = await client.post('/apply', { ...eventFormFields(), _csrf: form.csrf, formId: form.formId });

    expect(res.status).toBe(200);
    expect(res.html).toContain('We will also send it to you by text message.');
    const reference = /id="reference">(FP-\d{4}-[2-9A-HJKMNP-Z]{6})</.exec(res.html)?.[1];
    expect(reference).toBeDefined();
    // The confirmation shows what was sent, in words, and the signed status link the text message also carries.
    expect(res.html).toContain('<h2>What you sent</h2>');
    expect(res.html).toContain('<dt>Contact phone</dt><dd>(212) 555-0142</dd>');
    expect(res.html).toContain('<dt>Business name (as on the booth, truck or sign)</dt><dd>Taco Loco</dd>');
    expect(res.html).toMatch(new RegExp(`id="status-link" href="[^"]+/s/${reference ?? ''}-[\\w-]{16}"`));
    const applications = await service.db.execute('SELECT status, channel, reference, permit_type FROM applications');
    expect(applications.rows).toEqual([
      expect.objectContaining({ status: 'submitted', channel: 'web', reference, permit_type: 'temporary_food_event' }),
    ]);
    const outbox = await service.db.execute('SELECT status FROM sms_outbox');
    expect(outbox.rows).toEqual([expect.objectContaining({ status: 'pending' })]);

    const lines = service.log.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg?: string; requestId?: string; req?: { id?: string } });
    const submitted = lines.find((l) => l.msg === 'web application submitted');
    expect(submitted?.requestId).toMatch(/^[\w-]{8,}$/);
    expect(
      lines
        .filter((l) => l.msg === 'request completed')
        .every((l) => l.requestId === l.req?.id && l.requestId !== undefined),
    ).toBe(true);

    await service.db.execute('PRAGMA wal_checkpoint(FULL)');
    const bytes = databaseBytes();
    // The control: what is not personal is stored in clear, so this read really sees the rows.
    expect(bytes).toContain(reference);
    expect(bytes).toContain('2027-03-03'.replace('2027', String(new Date().getFullYear() + 1)));
    for (const secret of [
      'Rosa Delgado',
      'Taco Loco',
      '2125550142',
      '+12125550142',
      '555-0142',
      '100 Main Street',
      'Harvest Moon',
      'rosa@example.org',
      'Sam Okafor',
      'Carnitas',
    ]) {
      expect(bytes, `database contains "${secret}" in clear`).not.toContain(secret);
      expect(service.log.text, `log contains "${secret}"`).not.toContain(secret);
    }
  });

  it('when the same form is posted twice, then both answers carry the same reference and one SMS is queued', async () => {
    const form = await client.openForm('temporary_food_event');
    const fields = { ...eventFormFields(), _csrf: form.csrf, formId: form.formId };
    const [first, second] = await Promise.all([client.post('/apply', fields), client.post('/apply', fields)]);
    const third = await client.post('/apply', fields);

    const references = [first, second, third].map((r) => /id="reference">([^<]+)</.exec(r.html)?.[1]);
    expect(references[0]).toMatch(/^FP-/);
    expect(new Set(references).size).toBe(1);
    expect(await count('applications')).toBe(1);
    expect(await count('sms_outbox')).toBe(1);
  });

  it('when a field is invalid, then the page is a 400 with the message beside the field, the entered values kept, and nothing stored', async () => {
    const form = await client.openForm('temporary_food_event');
    const res = await client.post('/apply', {
      ...eventFormFields(),
      contactPhone: '555-0142',
      _csrf: form.csrf,
      formId: form.formId,
    });

    expect(res.status).toBe(400);
    expect(res.html).toContain(
      'id="field-contactPhone-error">We heard 7 digits for contact phone, and a US number has ten; please give all ten digits, area code first.<',
    );
    expect(res.html).toContain('value="Taco Loco"');
    expect(res.html).toContain('<option value="llc" selected>');
    expect(res.html).toContain('Carnitas tacos\r\nHorchata</textarea>');
    expect(await count('applications')).toBe(0);
  });

  it('when required fields are missing, then each one is listed with the question that asks for it', async () => {
    const form = await client.openForm('mobile_food_unit');
    const res = await client.post('/apply', { permitType: 'mobile_food_unit', _csrf: form.csrf, formId: form.formId });

    expect(res.status).toBe(400);
    expect(res.html).toContain('Please give the business name as it appears on the booth, truck or sign.');
    expect(res.html).toContain('Please give the name of the commissary the unit works from.');
    expect(res.html).not.toContain('Please give the first day of the event.');
  });

  it('when names contain HTML and SQL, then they are shown escaped and stored exactly as given', async () => {
    const form = await client.openForm('temporary_food_event');
    const hostile = `<script>alert("x")</script>'); DROP TABLE applications;--`;
    const rejected = await client.post('/apply', {
      ...eventFormFields(),
      businessName: hostile,
      eventEndDate: '',
      _csrf: form.csrf,
      formId: form.formId,
    });
    expect(rejected.status).toBe(400);
    expect(rejected.html).not.toContain('<script>alert');
    expect(rejected.html).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;); DROP TABLE applications;--',
    );

    const accepted = await client.post('/apply', {
      ...eventFormFields(),
      businessName: hostile,
      _csrf: form.csrf,
      formId: form.formId,
    });
    expect(accepted.status).toBe(200);
    expect(await count('applications')).toBe(1);
  });

  it('when text fields hold control or bidi characters, then the page is a 400 with one plain message per field, the characters shown written out, and nothing stored', async () => {
    const form = await client.openForm('temporary_food_event');
    const res = await client.post('/apply', {
      ...eventFormFields(),
      businessName: 'Taco\u202eocoL',
      applicantName: 'Rosa\u0000\u0007 Delgado\u001b[2J',
      menuItems: 'Carnitas tacos\r\nHorchata\u2066',
      _csrf: form.csrf,
      formId: form.formId,
    });

    expect(res.status).toBe(400);
    const hidden =
      'contains a hidden control or text-direction character (often carried along when text is copied and pasted); please type it again as plain text.';
    expect(res.html).toContain(
      `id="field-businessName-error">Business name (as on the booth, truck or sign) ${hidden}<`,
    );
    expect(res.html).toContain(`id="field-applicantName-error">Applicant&#39;s full name ${hidden}<`);
    expect(res.html).toContain(`id="field-menuItems-error">One of the menu items ${hidden}<`);
    // What they typed comes back with each hidden character written out, so they can see where it is.
    expect(res.html).toContain('value="Taco\\u202EocoL"');
    expect(res.html).toContain('value="Rosa\\u0000\\u0007 Delgado\\u001B[2J"');
    expect(res.html).not.toMatch(/\p{Bidi_Control}|(?![\t\n\r])\p{Cc}/u);
    expect(await count('applications')).toBe(0);
  });

  it('when the post carries fields the permit type does not have, then they are ignored and never stored', async () => {
    const form = await client.openForm('temporary_food_event');
    const res = await client.post('/apply', {
      ...eventFormFields(),
      homeAddress: '12 Elm Court',
      isAdmin: 'true',
      status: 'approved',
      _csrf: form.csrf,
      formId: form.formId,
    });

    expect(res.status).toBe(200);
    const fields = await service.db.execute('SELECT field FROM application_fields');
    const names = fields.rows.map((r) => r.field);
    expect(names).toContain('eventName');
    expect(names).not.toContain('homeAddress');
    expect(names).not.toContain('isAdmin');
    expect(names).not.toContain('status');
  });

  it('when the CSRF token is missing or forged, then the post is refused with 403 and nothing is stored', async () => {
    const form = await client.openForm('temporary_food_event');
    const missing = await client.post('/apply', { ...eventFormFields(), formId: form.formId });
    const forged = await client.post('/apply', {
      ...eventFormFields(),
      _csrf: `${form.csrf.slice(0, -4)}beef`,
      formId: form.formId,
    });
    const otherBrowser = new FormClient(service.url);
    const stolen = await otherBrowser.post('/apply', { ...eventFormFields(), _csrf: form.csrf, formId: form.formId });

    expect([missing.status, forged.status, stolen.status]).toEqual([403, 403, 403]);
    expect(missing.html).toContain('Please reload the form and try again.');
    expect(await count('applications')).toBe(0);
  });

  it("when a forged form id names another channel's draft, then the post is refused and that draft is untouched", async () => {
    const voiceDraft = '0b6f3c1e-5a7d-4c2e-9f10-2d3e4f5a6b7c';
    await service.db.execute({
      sql: "INSERT INTO applications (id, channel, created_at, updated_at) VALUES (?, 'voice', 'now', 'now')",
      args: [voiceDraft],
    });
    const form = await client.openForm('temporary_food_event');
    const res = await client.post('/apply', { ...eventFormFields(), _csrf: form.csrf, formId: voiceDraft });

    expect(res.status).toBe(400);
    expect(res.html).toContain('This form can no longer be used');
    expect((await service.db.execute('SELECT status, channel FROM applications')).rows).toEqual([
      expect.objectContaining({ status: 'draft', channel: 'voice' }),
    ]);
    expect(await count('application_fields')).toBe(0);
  });

  it('when the body is larger than a form can be, then it is refused with 413', async () => {
    const form = await client.openForm('temporary_food_event');
    const res = await client.post('/apply', {
      ...eventFormFields(),
      menuItems: 'x'.repeat(64 * 1024),
      _csrf: form.csrf,
      formId: form.formId,
    });

    expect(res.status).toBe(413);
    expect(res.html).toContain('too large');
    expect(await count('applications')).toBe(0);
  });

  it('when pages are served, then they carry a strict Content-Security-Policy and a request id', async () => {
    const page = await client.get('/apply');

    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(page.headers.get('x-request-id')).toMatch(/^[\w-]{8,}$/);
    expect(page.html).toContain('Temporary food event');
  });
});

describe('health endpoints', () => {
  it('when the database is migrated, then live, startup and ready answer 200', async () => {
    for (const path of ['/health/live', '/health/startup', '/health/ready']) {
      const res = await fetch(service.url + path);
      expect(res.status, path).toBe(200);
    }
  });

  it('when the service is draining, then ready answers 503 while live stays 200', async () => {
    service.health.draining = true;
    try {
      expect((await fetch(`${service.url}/health/ready`)).status).toBe(503);
      expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
    } finally {
      service.health.draining = false;
    }
  });

  it('when the schema is not current, then ready answers 503', async () => {
    await service.db.execute('ALTER TABLE schema_migrations RENAME TO schema_migrations_hidden');
    try {
      expect((await fetch(`${service.url}/health/ready`)).status).toBe(503);
    } finally {
      await service.db.execute('ALTER TABLE schema_migrations_hidden RENAME TO schema_migrations');
    }
  });
});

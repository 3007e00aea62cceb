import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApplicationService } from '../../src/intake/application-service.ts';
import { PermitRules } from '../../src/permits/permit-rules.ts';
import { ApplicationRepository } from '../../src/store/application-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { completeApplication, TODAY } from '../support/applications.ts';
import { openTestDatabase, type TestDatabase } from '../support/database.ts';
import { eventFormFields, FormClient } from '../support/form-client.ts';
import { testDataKeys } from '../support/keys.ts';
import { startTestService, type TestService } from '../support/service.ts';

/**
 * Consent to texts is the smsConsent answer: its row says when it was given
 * and on which channel, whichever channel began the draft. (The recording
 * notice is kept on the call's row: test/integration/call-recording.test.ts.)
 */

const rules = new PermitRules({ healthDistricts: ['Central', 'North County'], today: () => TODAY });

describe('consent given in a draft', () => {
  let database: TestDatabase;
  let clock: Date;
  let repository: ApplicationRepository;
  let applications: ApplicationService;

  beforeEach(async () => {
    database = await openTestDatabase();
    clock = new Date(`${TODAY}T17:00:00.000Z`);
    repository = new ApplicationRepository(database.db, new FieldCipher(testDataKeys()), () => clock);
    applications = new ApplicationService({ repository, rules, timeZone: 'America/Los_Angeles', now: () => clock });
  });
  afterEach(() => {
    database.close();
  });

  async function consentRow(id: string): Promise<unknown> {
    const result = await database.db.execute({
      sql: "SELECT value, captured_at, channel FROM application_fields WHERE application_id = ? AND field = 'smsConsent'",
      args: [id],
    });
    return result.rows[0] === undefined ? undefined : { ...result.rows[0] };
  }

  it('when a caller says yes on the phone and changes it in the IVR later, then the row carries the time and channel of the last answer', async () => {
    const id = await applications.startDraft('voice');
    await applications.updateDraft(id, { smsConsent: true }, 'voice');
    expect(await consentRow(id)).toEqual({ value: 'true', captured_at: clock.toISOString(), channel: 'voice' });

    clock = new Date(`${TODAY}T17:30:00.000Z`);
    await applications.updateDraft(id, { smsConsent: false }, 'ivr');
    expect(await consentRow(id)).toEqual({ value: 'false', captured_at: clock.toISOString(), channel: 'ivr' });
    const stored = await repository.find(id);
    expect(stored?.capturedAt.smsConsent).toBe(clock.toISOString());
    expect(stored?.capturedVia.smsConsent).toBe('ivr');
  });

  it('when a phone draft is finished on the web with the consent unchanged, then the consent keeps its phone time and channel and the attestation is the web', async () => {
    const id = await applications.startDraft('voice');
    const answers = completeApplication('cottage_food_operation');
    await applications.updateDraft(id, answers, 'voice');
    const onThePhone = clock.toISOString();

    clock = new Date(`${TODAY}T19:00:00.000Z`);
    const stored = await repository.find(id);
    expect((await applications.completeDraft(id, stored!.fields)).ok).toBe(true);

    const finished = await repository.find(id);
    expect(finished?.capturedAt.smsConsent).toBe(onThePhone);
    expect(finished?.capturedVia.smsConsent).toBe('voice');
    expect(finished?.capturedAt.attestation).toBe(clock.toISOString());
    expect(finished?.capturedVia.attestation).toBe('web');
  });

  it('when no channel is given, then the answer is recorded on the channel the draft began on', async () => {
    const id = await applications.startDraft('ivr');
    await applications.updateDraft(id, { smsConsent: true });
    expect(await consentRow(id)).toMatchObject({ channel: 'ivr' });
  });
});

describe('consent given on the web form', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(async () => {
    await service.close();
  });

  it('when the form is submitted with texts allowed, then the consent row carries its time and the web channel', async () => {
    const client = new FormClient(service.url);
    const form = await client.openForm('temporary_food_event');
    const before = new Date().toISOString();
    const res = await client.post('/apply', { ...eventFormFields(), _csrf: form.csrf, formId: form.formId });
    expect(res.status).toBe(200);

    const rows = await service.db.execute(
      "SELECT value, captured_at, channel FROM application_fields WHERE field = 'smsConsent'",
    );
    expect(rows.rows).toEqual([expect.objectContaining({ value: 'true', channel: 'web' })]);
    const at = rows.rows[0]?.captured_at as string;
    expect(at >= before && at <= new Date().toISOString()).toBe(true);
  });
});

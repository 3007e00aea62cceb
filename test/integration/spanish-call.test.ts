import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallResult } from '../../src/sim/call-simulator.ts';
import { ApplicationRepository } from '../../src/store/application-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { SmsOutboxRepository } from '../../src/store/sms-outbox-repository.ts';
import { testDataKeys } from '../support/keys.ts';
import { startVoiceRig, type VoiceRig } from '../support/voice.ts';

/**
 * A whole call in Spanish (the spanish-call scenario), over real sockets to the real service and database with the
 * realtime simulator behind it: the caller answers in Spanish, the agent switches the call, the tool reads dates,
 * hours and a phone number said in Spanish, the application is submitted and its text is queued in Spanish.
 */
let rig: VoiceRig;
let result: CallResult;

beforeAll(async () => {
  rig = await startVoiceRig('spanish-call');
  result = await rig.call({ realTimeFactor: 4 });
}, 120_000);

afterAll(async () => {
  await rig.close();
});

async function submittedApplication() {
  const row = (await rig.service.db.execute("SELECT id FROM applications WHERE status = 'submitted'")).rows[0];
  return new ApplicationRepository(rig.service.db, new FieldCipher(testDataKeys())).find(row?.id as string);
}

describe('a call in Spanish', () => {
  it('when the caller speaks Spanish, then the call switches to Spanish and the transcriber with it', async () => {
    expect(result.errors).toEqual([]);
    expect(result.endedBy).toBe('service');
    const call = (
      await rig.service.db.execute({ sql: 'SELECT language FROM calls WHERE call_sid = ?', args: [result.callSid] })
    ).rows[0];
    expect(call?.language).toBe('es');
    const languages = rig.model.received
      .filter((e) => e.type === 'session.update')
      .map(
        (e) =>
          (e.event as { session?: { audio?: { input?: { transcription?: { language?: string } } } } }).session?.audio
            ?.input?.transcription?.language,
      );
    expect(languages).toEqual(['en', 'es']);
  });

  it('when dates, hours and a phone number are said in Spanish, then they are stored as the same dates, hours and number', async () => {
    const problems = rig.model
      .toolOutputs()
      .flatMap((o) => (JSON.parse(o.output) as { problems?: string[] }).problems ?? []);
    expect(problems).toEqual([]);
    const application = await submittedApplication();
    expect(application?.language).toBe('es');
    expect(application?.fields).toMatchObject({
      permitType: 'temporary_food_event',
      eventStartDate: '2027-03-03',
      eventEndDate: '2027-03-04',
      dailyOpenTime: '09:00',
      dailyCloseTime: '18:30',
      eventCoordinatorPhone: '+12125550187',
    });
  });

  it('when the application is submitted, then its text message is queued in Spanish, in GSM-7', async () => {
    const application = await submittedApplication();
    const row = (
      await rig.service.db.execute({
        sql: 'SELECT id FROM sms_outbox WHERE application_id = ?',
        args: [application?.id ?? ''],
      })
    ).rows[0];
    const entry = await new SmsOutboxRepository(rig.service.db, new FieldCipher(testDataKeys())).find(
      row?.id as string,
    );
    expect(entry?.body).toContain(application?.reference ?? 'no reference');
    expect(entry?.body).toContain('PermitLine: recibimos su solicitud de permiso de alimentos.');
    expect(entry?.body).toContain('Taco Loco, 3-4 mar 2027.');
  });
});

import type { Client } from '@libsql/client';
import type { CallRecordings } from '../../src/recording/call-recordings.ts';
import { ApplicationRepository } from '../../src/store/application-repository.ts';
import { CallRepository } from '../../src/store/call-repository.ts';
import type { FieldCipher } from '../../src/store/field-cipher.ts';
import { SmsOutboxRepository } from '../../src/store/sms-outbox-repository.ts';

/** Applicants as they were some days ago, for the retention job to find (or leave alone). */

export const DAY_MS = 86_400_000;

export interface SeededApplicant {
  readonly applicationId: string;
  readonly callSid: string;
}

export interface SeedOptions {
  readonly at: Date;
  readonly callSid: string;
  readonly phone: string;
  readonly business: string;
  /** Submitted at `at`, with this reference. */
  readonly reference?: string;
  /** When the call came, if not at `at` (a call that resumed an older draft). */
  readonly callAt?: Date;
  /** Keep a recording of the call. */
  readonly recordings?: CallRecordings;
}

/** A caller who phoned at `at`, answered a few questions, and was sent a web link. */
export async function seedApplicant(db: Client, cipher: FieldCipher, o: SeedOptions): Promise<SeededApplicant> {
  const then = () => o.at;
  const applications = new ApplicationRepository(db, cipher, then);
  const calls = new CallRepository(db, cipher, () => o.callAt ?? o.at);
  const applicationId = await applications.createDraft('voice');
  await applications.saveFields(applicationId, {
    permitType: 'temporary_food_event',
    applicantName: `Owner of ${o.business}`,
    businessName: o.business,
    contactPhone: o.phone,
    healthDistrict: 'Central',
  });
  await new SmsOutboxRepository(db, cipher, then).queue('web-link', applicationId, o.phone, `Finish ${o.business}`);
  if (o.reference !== undefined) await applications.markSubmitted(applicationId, o.reference, undefined);
  await calls.recordIncoming(o.callSid, o.phone, 'completed');
  await calls.attachApplication(o.callSid, applicationId, 'agent-instructions.v1', 'gpt-realtime');
  await calls.saveTurn(o.callSid, {
    itemId: 'item_1',
    position: 1,
    role: 'caller',
    text: `The business is ${o.business}.`,
    offsetMs: 1200,
  });
  if (o.recordings !== undefined) {
    await o.recordings.save(o.callSid, Buffer.from(`RIFF a recording of ${o.business}`));
    await calls.recordRecording(o.callSid, 1_000);
  }
  return { applicationId, callSid: o.callSid };
}

/** A CallSid made of one repeated hex digit, so a test can name its calls. */
export function callSid(digit: string): string {
  return `CA${digit.repeat(32)}`;
}

export async function auditRows(db: Client, action: string): Promise<Record<string, unknown>[]> {
  const result = await db.execute({ sql: 'SELECT * FROM audit_log WHERE action = ? ORDER BY seq', args: [action] });
  return result.rows.map((row) => ({ ...row, detail: JSON.parse(row.detail as string) as unknown }));
}

import type { Client } from '@libsql/client';
import { pino } from 'pino';
import type { Config } from '../../src/config/config.ts';
import { REFERENCE_ALPHABET } from '../../src/permits/reference-number.ts';
import { twilioMessagingEndpoint } from '../../src/service/external-endpoints.ts';
import { LOCAL_TWILIO_ACCOUNT_SID } from '../../src/sim/local-stand-ins.ts';
import { startSmsDelivery, type SmsDelivery, type SmsLinks } from '../../src/sms/sms-delivery.ts';
import { REVIEW_LINK_PLACEHOLDER } from '../../src/sms/summary-text.ts';
import { ReviewLinks } from '../../src/sms/review-link.ts';
import { ApplicationRepository } from '../../src/store/application-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { ResumeLinks } from '../../src/web/resume-link.ts';
import { testDataKeys, TEST_KEY_A } from './keys.ts';
import { testConfig } from './service.ts';

/** A Twilio account as the tests' nock interceptors know it (not a real one). */
export const TEST_ACCOUNT_SID = `AC${'1'.repeat(32)}`;
export const TEST_AUTH_TOKEN = 'test-twilio-auth-token';
export const TEST_FROM_NUMBER = '+13125550100';
export const MESSAGES_PATH = `/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Messages.json`;
export const STAND_IN_ACCOUNT_SID = LOCAL_TWILIO_ACCOUNT_SID;

export const cipher = (): FieldCipher => new FieldCipher(testDataKeys(TEST_KEY_A));

/** Fast retries and a quick circuit, so a test sees the whole life of a row in well under a second. */
export const FAST_SMS_SETTINGS = {
  SMS_RATE_PER_SECOND: '0',
  SMS_MAX_ATTEMPTS: '4',
  SMS_RETRY_MIN_MS: '10',
  SMS_RETRY_MAX_MS: '40',
  SMS_REQUEST_TIMEOUT_MS: '300',
  SMS_POLL_INTERVAL_MS: '50',
  SMS_CIRCUIT_RESET_MS: '300',
  PUBLIC_BASE_URL: 'https://permits.example.org',
  TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
} as const;

/** The delivery side of the service (worker, repositories, Twilio client) over `db`: real Twilio account settings, so requests go to api.twilio.com (nock). */
export async function smsDeliveryForNock(db: Client, env: Record<string, string> = {}): Promise<SmsDelivery> {
  const config = testConfig({
    ...FAST_SMS_SETTINGS,
    TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
    TWILIO_FROM_NUMBER: TEST_FROM_NUMBER,
    ...env,
  });
  return smsDelivery(config, db, undefined);
}

/** The same over the local Twilio stand-in at `standInUrl`. */
export async function smsDeliveryForStandIn(
  db: Client,
  standInUrl: string,
  env: Record<string, string> = {},
): Promise<SmsDelivery> {
  const config = testConfig({ ...FAST_SMS_SETTINGS, ...env });
  return smsDelivery(config, db, standInUrl);
}

/**
 * As the service builds it. Neither path starts a stand-in (an account, or a stand-in URL), so the endpoint
 * holds nothing to close and the delivery's own close() is all a test calls.
 */
async function smsDelivery(config: Config, db: Client, standInUrl: string | undefined): Promise<SmsDelivery> {
  const logger = silentLogger();
  const messaging = await twilioMessagingEndpoint(config, logger, standInUrl);
  return startSmsDelivery(config, db, cipher(), linksFor(config.publicBaseUrl), logger, messaging);
}

function linksFor(publicBaseUrl: URL): SmsLinks {
  const keys = testDataKeys(TEST_KEY_A);
  return { review: new ReviewLinks(publicBaseUrl, keys), resume: new ResumeLinks(publicBaseUrl, keys) };
}

function silentLogger() {
  return pino({ level: 'silent' });
}

/** A distinct, valid reference per index. */
/**
 * The environment of an `npm run worker` child process sending to a Twilio stand-in at `twilioApiBaseUrl`,
 * over `databaseUrl`, as fast as the stand-in lets it; `overrides` adds to or replaces any of it.
 */
export function smsWorkerEnv(
  databaseUrl: string,
  twilioApiBaseUrl: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'test',
    DATA_KEYS: TEST_KEY_A,
    DATABASE_URL: databaseUrl,
    TWILIO_API_BASE_URL: twilioApiBaseUrl,
    TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
    SMS_RATE_PER_SECOND: '0',
    SMS_POLL_INTERVAL_MS: '50',
    PUBLIC_BASE_URL: 'https://permits.example.org',
    LOG_LEVEL: 'warn',
    ...overrides,
  };
}

export function referenceFor(i: number): string {
  let code = '';
  let n = i;
  for (let k = 0; k < 6; k++) {
    code += REFERENCE_ALPHABET[n % REFERENCE_ALPHABET.length] ?? '';
    n = Math.floor(n / REFERENCE_ALPHABET.length);
  }
  return `FP-2026-${code}`;
}

/** Submitted applications with one pending SMS each, to fictional 555-01xx numbers; returns their ids. */
export async function queueSummaries(
  db: Client,
  count: number,
  phone: (i: number) => string = (i) => `+1312555${String(100 + (i % 100)).padStart(4, '0')}`,
  firstIndex = 0,
): Promise<string[]> {
  const repository = new ApplicationRepository(db, cipher());
  const ids: string[] = [];
  for (let i = firstIndex; i < firstIndex + count; i++) {
    const id = await repository.createDraft('web');
    const reference = referenceFor(i);
    await repository.markSubmitted(id, reference, {
      toPhone: phone(i),
      body: `Permit application ${reference} received. Review: ${REVIEW_LINK_PLACEHOLDER}`,
    });
    ids.push(id);
  }
  return ids;
}

/** A Message resource as Twilio answers a create. */
export function twilioMessage(sid: string, to: string, body: string): Record<string, unknown> {
  return {
    sid,
    account_sid: TEST_ACCOUNT_SID,
    to,
    from: TEST_FROM_NUMBER,
    body,
    status: 'queued',
    direction: 'outbound-api',
    num_segments: '1',
    date_created: new Date().toUTCString(),
  };
}

export function messageSid(n: number): string {
  return `SM${n.toString(16).padStart(32, '0')}`;
}

/** The id of the outbox row queued for an application. */
export async function outboxIdOf(db: Client, applicationId: string): Promise<string> {
  const result = await db.execute({ sql: 'SELECT id FROM sms_outbox WHERE application_id = ?', args: [applicationId] });
  const id = result.rows[0]?.id;
  if (typeof id !== 'string') throw new Error(`no outbox row for application ${applicationId}`);
  return id;
}

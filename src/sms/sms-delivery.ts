import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Client } from '@libsql/client';
import type { Logger } from 'pino';
import type { Twilio } from 'twilio';
import type { Config } from '../config/config.ts';
import type { FieldCipher } from '../store/field-cipher.ts';
import { AuditLog } from '../store/audit-log.ts';
import { ServiceSwitches } from '../store/service-switches.ts';
import { SmsConsentRepository } from '../store/sms-consent-repository.ts';
import { SmsOutboxRepository, type QueueOutcome } from '../store/sms-outbox-repository.ts';
import type { ResumeLinks } from '../web/resume-link.ts';
import { OutboxWorker } from './outbox-worker.ts';
import type { ReviewLinks } from './review-link.ts';
import type { SmsMetrics } from './sms-metrics.ts';
import { smsRateLimiter } from './sms-rate-limiter.ts';
import { TwilioSmsSender, type SenderIdentity } from './twilio-sms-sender.ts';
import { buildWebLinkText } from './web-link-text.ts';
import type { Language } from '../permits/language.ts';

/** What texts go out through: a twilio library client (Twilio itself or a stand-in, the caller chose) and who they are from. */
export interface TwilioMessaging {
  readonly client: Twilio;
  readonly sender: SenderIdentity;
}

export interface SmsLinks {
  /** The page a summary links to. */
  readonly review: ReviewLinks;
  /** The web form a caller finishes their draft in. */
  readonly resume: ResumeLinks;
}

export interface SmsDelivery {
  readonly worker: OutboxWorker;
  readonly outbox: SmsOutboxRepository;
  readonly consent: SmsConsentRepository;
  /**
   * Texts `toPhone` a link to finish `applicationId` on the web (the caller asked for it on the phone); at
   * most once per application, and not once the number has had its texts for the day (SMS_PER_NUMBER_PER_DAY).
   * Resolves when the text is queued, not sent. The text is in `language`, the one the applicant is served in.
   */
  queueWebLink(applicationId: string, toPhone: string, language?: Language): Promise<QueueOutcome>;
  /** Stops the worker and the rate limiter; the Twilio client is its caller's to close. */
  close(): Promise<void>;
}

const SMS_BATCH_SIZE = 10;
const SMS_LEASE_MIN_MS = 60_000;
const BREAKER_SETTINGS = { errorThresholdPercent: 50, volumeThreshold: 5, windowMs: 60_000 } as const;
// The request's own timeout fires first; the breaker's is a backstop.
const BREAKER_TIMEOUT_SLACK_MS = 2_000;

/**
 * The SMS outbox worker over `db`, sending through `twilio`, with its
 * repositories and the web-link use case. Shared by the service and
 * `npm run worker`; the worker is built here but started by the caller.
 */
export async function startSmsDelivery(
  config: Config,
  db: Client,
  cipher: FieldCipher,
  links: SmsLinks,
  logger: Logger,
  twilio: TwilioMessaging,
  metrics?: SmsMetrics,
): Promise<SmsDelivery> {
  const outbox = new SmsOutboxRepository(db, cipher);
  const consent = new SmsConsentRepository(db, cipher);
  const limiter = await smsRateLimiter(config, logger);
  // Read from the shared database at every poll: `npm run sms -- off` stops this worker wherever it runs.
  const switches = new ServiceSwitches(db, new AuditLog(db));
  const worker = new OutboxWorker({
    outbox,
    consent,
    sender: new TwilioSmsSender(twilio.client, twilio.sender),
    limiter,
    logger,
    owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    statusCallbackUrl: new URL('/twilio/sms/status', config.publicBaseUrl).href,
    reviewLink: (reference) => links.review.linkFor(reference),
    metrics,
    sendingOn: () => switches.isOn('sms-sending'),
    settings: {
      leaseMs: Math.max(
        config.sms.leaseMs ?? SMS_LEASE_MIN_MS,
        2 * config.sms.requestTimeoutMs + config.sms.retryMaxMs,
      ),
      pollIntervalMs: config.sms.pollIntervalMs,
      batchSize: SMS_BATCH_SIZE,
      maxAttempts: config.sms.maxAttempts,
      retryMinMs: config.sms.retryMinMs,
      retryMaxMs: config.sms.retryMaxMs,
      breaker: {
        ...BREAKER_SETTINGS,
        resetMs: config.sms.circuitResetMs,
        callTimeoutMs: config.sms.requestTimeoutMs + BREAKER_TIMEOUT_SLACK_MS,
      },
    },
  });
  return {
    worker,
    outbox,
    consent,
    async queueWebLink(applicationId, toPhone, language) {
      const outcome = await outbox.queue(
        'web-link',
        applicationId,
        toPhone,
        buildWebLinkText(links.resume.linkFor(applicationId), links.resume.validDays, language),
        config.limits.textsPerNumberPerDay,
      );
      if (outcome === 'queued') {
        metrics?.queued('web-link');
        worker.wake();
      }
      return outcome;
    },
    async close() {
      await worker.stop();
      await limiter.disconnect();
    },
  };
}

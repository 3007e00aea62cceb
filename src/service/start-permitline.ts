import { StaffLine } from '../permits/office-hours.ts';
import { spokenWebAddress } from '../permits/spoken-web-address.ts';
import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AddressInfo } from 'node:net';
import type { Client } from '@libsql/client';
import { Router } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import { ApplicationService } from '../intake/application-service.ts';
import { ResumableDrafts } from '../intake/resumable-drafts.ts';
import type { HealthState } from '../ops/health.ts';
import { listenOn } from '../ops/listen.ts';
import { startMetricsEndpoint, type MetricsEndpoint } from '../ops/metrics-endpoint.ts';
import { ServiceMetrics } from '../ops/service-metrics.ts';
import { startTracing } from '../ops/tracing.ts';
import { todayIn } from '../permits/field-inputs.ts';
import { PermitRules } from '../permits/permit-rules.ts';
import { ApplicationRepository } from '../store/application-repository.ts';
import { openDatabase } from '../store/database.ts';
import type { DataKey } from '../keys/data-keys.ts';
import { FieldCipher } from '../store/field-cipher.ts';
import { isSchemaCurrent, migrate } from '../store/migrations.ts';
import { ModelCircuit } from '../realtime/model-circuit.ts';
import { createModelTransport } from '../realtime/model-transport.ts';
import { openRealtimeSession } from '../realtime/openai-realtime-session.ts';
import { CallRecordings } from '../recording/call-recordings.ts';
import { CallRepository } from '../store/call-repository.ts';
import { CallMetrics } from '../call/call-metrics.ts';
import type { CallOrchestrator } from '../call/call-orchestrator.ts';
import { mountCallPath } from '../call/call-path.ts';
import { ivrRoutes } from '../ivr/ivr-routes.ts';
import { CallBackRequests } from '../store/call-back-requests.ts';
import { RateLimits } from '../limits/rate-limits.ts';
import { smsRoutes } from '../sms/sms-routes.ts';
import type { TwilioStandIn } from '../sim/twilio-stand-in.ts';
import { realtimeEndpoint, twilioMessagingEndpoint } from './external-endpoints.ts';
import { openRecordingStorage } from './recording-storage.ts';
import { scheduleRetention } from './retention-schedule.ts';
import type { OutboxWorker } from '../sms/outbox-worker.ts';
import { startSmsDelivery } from '../sms/sms-delivery.ts';
import { SmsMetrics } from '../sms/sms-metrics.ts';
import { ReviewLinks } from '../sms/review-link.ts';
import { LoginThrottle } from '../staff/login-throttle.ts';
import { ApplicantErasure } from '../store/applicant-erasure.ts';
import { AuditLog } from '../store/audit-log.ts';
import { ServiceSwitches } from '../store/service-switches.ts';
import { StaffCallDirectory } from '../store/staff-call-directory.ts';
import { CallOperations } from '../store/call-operations.ts';
import { StaffRepository } from '../store/staff-repository.ts';
import { StaffSessionRepository } from '../store/staff-session-repository.ts';
import { createApp } from '../web/app.ts';
import { csrfSecretsFrom } from '../web/csrf.ts';
import { ResumeLinks } from '../web/resume-link.ts';

/**
 * The composition root: the one place that builds the adapters and wires them
 * together, from a config read elsewhere (src/main.ts reads the environment).
 * Tests and npm run demo call startPermitLine with their own config (port 0, a
 * temp database) and get the same service.
 */

export interface RunningService {
  readonly url: string;
  readonly server: Server;
  readonly db: Client;
  readonly health: HealthState;
  readonly callOrchestrator: CallOrchestrator;
  /** Encrypted call recordings: always there, so earlier recordings can be played even when RECORD_CALLS is off. */
  readonly recordings: CallRecordings;
  /** The SMS outbox worker (running only when config.sms.workerInService). */
  readonly smsWorker: OutboxWorker;
  /** The local Twilio stand-in, when no Twilio account is configured (development). */
  readonly twilioStandIn: TwilioStandIn | undefined;
  /** GET /metrics on its own listener (METRICS_PORT); undefined when metrics are off. */
  readonly metricsUrl: string | undefined;
  /**
   * Readiness off at once (the load balancer stops sending new calls), but
   * webhooks are still answered; live calls may finish for up to
   * `timeoutMs`, then stop(). Resolves when everything is closed.
   */
  drain(timeoutMs: number): Promise<void>;
  /** Readiness off, end live calls (their answers are kept), stop taking connections, let requests finish, finish the SMS in flight, close the database. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** A CA to trust for the realtime endpoint (a test's simulator); NODE_EXTRA_CA_CERTS does the same for a process. */
  readonly realtimeCa?: string;
  /** Talk to this Twilio API origin (a test's stand-in) instead of starting one; only without a Twilio account. */
  readonly twilioApiBaseUrl?: string;
}

// Three failed opens in a minute, half of all opens: the model is down, not one call unlucky.
const MODEL_CIRCUIT_SETTINGS = { errorThresholdPercent: 50, volumeThreshold: 3, windowMs: 60_000 } as const;
const DRAIN_POLL_MS = 250;
const CONNECT_ACTION_GRACE_MS = 2_000;
// The early model session waits this much longer than the stream token lives.
const PREWARM_GRACE_MS = 5_000;
const HOUR_SECONDS = 3_600;
const MINUTE_SECONDS = 60;

export async function startPermitLine(
  config: Config,
  logger: Logger,
  dataKeys: readonly DataKey[],
  options: StartOptions = {},
): Promise<RunningService> {
  const health: HealthState = { started: false, draining: false };
  // Counted whether or not anything scrapes them: the listener (METRICS_PORT) only decides who can read them.
  const metrics = new ServiceMetrics({ defaultMetrics: config.telemetry.metrics !== undefined });
  const smsMetrics = new SmsMetrics(metrics);
  const db = await openDatabase(config.database);
  const applied = await migrate(db);
  if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');

  const cipher = new FieldCipher(dataKeys);
  const rules = new PermitRules({
    healthDistricts: config.healthDistricts,
    today: () => todayIn(config.departmentTimeZone, new Date()),
  });
  const applicationRepository = new ApplicationRepository(db, cipher);
  const reviewLinks = new ReviewLinks(config.publicBaseUrl, dataKeys);
  const resumeLinks = new ResumeLinks(config.publicBaseUrl, dataKeys);
  const messaging = await twilioMessagingEndpoint(config, logger, options.twilioApiBaseUrl ?? config.sms.apiBaseUrl);
  const sms = await startSmsDelivery(
    config,
    db,
    cipher,
    { review: reviewLinks, resume: resumeLinks },
    logger,
    messaging,
    smsMetrics,
  );
  const applications = new ApplicationService({
    repository: applicationRepository,
    rules,
    timeZone: config.departmentTimeZone,
    onTextQueued: () => {
      smsMetrics.queued('summary');
      sms.worker.wake();
    },
    textsPerNumberPerDay: config.limits.textsPerNumberPerDay,
    onTextLimitReached: (applicationId) => {
      logger.warn(
        { applicationId, limit: 'SMS_PER_NUMBER_PER_DAY' },
        'submitted without its summary text: the number has had its texts for today',
      );
    },
  });
  const calls = new CallRepository(db, cipher);
  const resumableDrafts = new ResumableDrafts({ applications: applicationRepository, calls });
  const recordingStorage = await openRecordingStorage(config.recordings, logger);
  const recordings = new CallRecordings(recordingStorage.store, dataKeys);
  const model = await realtimeEndpoint(config, logger, options);
  const modelTransport = createModelTransport(model.ca);
  const rateLimits = await RateLimits.open({ redisUrl: config.redisUrl, dataKeys, logger });
  const { limits } = config;
  const modelCircuit = new ModelCircuit({ ...MODEL_CIRCUIT_SETTINGS, resetMs: config.realtime.circuitResetMs }, logger);
  const staffLine = new StaffLine(config.staffTransfer.number, config.staffTransfer.hours);
  const callBacks = new CallBackRequests(db, cipher);
  const auditLog = new AuditLog(db);
  // The operator's kill switches (docs/incident-response.md), read live from the shared database.
  const switches = new ServiceSwitches(db, auditLog);
  const twilioWebhooks = Router();
  const server = createServer();
  const callPath = mountCallPath(
    { routes: twilioWebhooks, server },
    {
      authToken: config.twilio.authToken,
      publicBaseUrl: config.publicBaseUrl,
      dataKeys,
      streamTokenTtlSeconds: config.streamTokenTtlSeconds,
      callLimits: {
        callsPerCaller: rateLimits.limiter('calls-per-caller', {
          points: limits.callsPerCallerPerHour,
          perSeconds: HOUR_SECONDS,
        }),
        atOncePerCaller: limits.callsAtOncePerCaller,
        atOncePerInstance: limits.callsAtOncePerInstance,
      },
      voiceAiOn: () => switches.isOn('voice-ai'),
      applications,
      resumableDrafts,
      calls,
      rules,
      logger,
      staffDesk: {
        line: staffLine,
        applyAddress: spokenWebAddress(new URL('/apply', config.publicBaseUrl)),
        callBacks,
      },
      openSession: (callLog) =>
        modelCircuit.open(() =>
          openRealtimeSession({
            client: model.client,
            model: config.realtime.model,
            agent: modelTransport,
            connectTimeoutMs: config.realtime.connectTimeoutMs,
            logger: callLog,
          }),
        ),
      modelAvailable: () => modelCircuit.available,
      recordings: config.recordings.enabled ? recordings : undefined,
      metrics: new CallMetrics(metrics, {
        realtime: config.realtime.model,
        transcription: config.realtime.transcriptionModel,
      }),
      settings: {
        model: config.realtime.model,
        voice: config.realtime.voice,
        vad: config.realtime.vad,
        transcriptionModel: config.realtime.transcriptionModel,
        prices: config.realtime.prices,
        timeZone: config.departmentTimeZone,
        prewarmTtlMs: config.streamTokenTtlSeconds * 1000 + PREWARM_GRACE_MS,
        renewBeforeExpiryMs: config.realtime.renewBeforeExpiryMs,
        mediaPace: config.media,
        recordingMaxMs: config.recordings.maxMs,
        callerSilenceMs: config.conversation.callerSilenceMs,
        maxCallMs: config.conversation.maxCallMs,
      },
    },
  );
  const callOrchestrator = callPath.orchestrator;
  twilioWebhooks.use(
    ivrRoutes({
      authToken: config.twilio.authToken,
      publicBaseUrl: config.publicBaseUrl,
      calls,
      resumableDrafts,
      applications,
      rules,
      sendWebLink: (applicationId, phone, language) => sms.queueWebLink(applicationId, phone, language),
      staffLine,
      callBacks,
    }),
  );
  twilioWebhooks.use(
    smsRoutes({
      authToken: config.twilio.authToken,
      publicBaseUrl: config.publicBaseUrl,
      outbox: sms.outbox,
      consent: sms.consent,
      applications,
      metrics: smsMetrics,
    }),
  );
  const databaseReady = async () =>
    (await isSchemaCurrent(db)) ? { ok: true } : { ok: false, reason: 'schema not current' };
  const app = createApp({
    logger,
    requestMetrics: metrics,
    applications,
    rules,
    csrfSecrets: csrfSecretsFrom(dataKeys),
    publicBaseUrl: config.publicBaseUrl,
    health,
    trustProxy: config.trustProxy,
    databaseReady,
    twilioWebhooks,
    review: { links: reviewLinks, applications, timeZone: config.departmentTimeZone },
    resume: {
      links: resumeLinks,
      textLink: (applicationId, phone, language) => sms.queueWebLink(applicationId, phone, language),
    },
    addressLimits: {
      formPosts: rateLimits.limiter('form-posts', { points: limits.formPostsPerHour, perSeconds: HOUR_SECONDS }),
      linkVisits: rateLimits.limiter('link-visits', { points: limits.linkVisitsPerHour, perSeconds: HOUR_SECONDS }),
      requests: rateLimits.limiter('requests', { points: limits.requestsPerMinute, perSeconds: MINUTE_SECONDS }),
    },
    privacy: { retentionDays: config.retentionDays, recordsCalls: config.recordings.enabled },
    department: config.department,
    staff: {
      users: new StaffRepository(db),
      sessions: new StaffSessionRepository(db),
      throttle: new LoginThrottle(db),
      audit: auditLog,
      switches,
      calls,
      directory: new StaffCallDirectory(db, cipher),
      operations: new CallOperations(db, cipher),
      applications: applicationRepository,
      erasure: new ApplicantErasure(db, cipher),
      callBacks,
      recordings,
      sessionLimits: config.staffSessions,
      timeZone: config.departmentTimeZone,
      permits: rules.context,
    },
  });

  // Nothing above makes spans; started only now, so a start that fails earlier leaves no SDK behind in the process.
  const tracing = await startTracing(config.telemetry, (message) => {
    logger.warn(message);
  });
  server.on('request', app);
  await listenOn(server, config.port, config.host, 'PORT');
  metrics.readFrom({
    liveCalls: () => callOrchestrator.liveCalls,
    modelCircuitOpen: () => !modelCircuit.available,
    // What /health/ready answers, without an HTTP request.
    ready: async () => health.started && !health.draining && (await databaseReady().catch(() => ({ ok: false }))).ok,
    outboxBacklog: () => sms.outbox.backlog(),
  });
  const metricsEndpoint: MetricsEndpoint | undefined =
    config.telemetry.metrics === undefined
      ? undefined
      : await startMetricsEndpoint(metrics.registry, config.telemetry.metrics, logger);
  if (config.sms.workerInService) sms.worker.start();
  // Recordings a bucket outage left in the spool, from an earlier run too, go up now and then as it comes back.
  recordingStorage.start();
  logger.info({ recordingStore: recordingStorage.description }, 'where recordings are kept');
  const retention = scheduleRetention({ db, cipher, recordings, days: config.retentionDays, logger });
  health.started = true;
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;

  const stop = async (): Promise<void> => {
    health.draining = true;
    callPath.close();
    // Twilio asks the <Connect action> of every call that just left the AI path (ended now, or a moment before, by
    // itself): that answer tells the caller what happens next, so the server stays up for it.
    const grace = CONNECT_ACTION_GRACE_MS - callOrchestrator.msSinceLastEnding;
    if (grace > 0) await sleep(grace);
    server.closeIdleConnections();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
    await sms.close();
    await messaging.close();
    await model.close();
    await rateLimits.close();
    modelCircuit.shutdown();
    // Ended calls still write their usage, transcript and recording.
    await callOrchestrator.finished();
    await retention.stop();
    // After the last save and erasure: a recording the bucket did not take waits in the spool for the next start.
    await recordingStorage.close();
    // Last, so a scrape during shutdown still sees the calls ending; its gauges then read nothing more.
    await metricsEndpoint?.close();
    db.close();
    // Last: the spans of everything above are in the final batch (bounded: a dead collector does not hold stop up).
    await tracing.shutdown();
  };
  const drain = async (timeoutMs: number): Promise<void> => {
    health.draining = true;
    const deadline = Date.now() + timeoutMs;
    const inProgress = () => callOrchestrator.liveCalls + callOrchestrator.arrivingCalls;
    logger.info({ liveCalls: inProgress(), timeoutMs }, 'draining: readiness is off; live calls may finish');
    while (inProgress() > 0 && Date.now() < deadline) await sleep(DRAIN_POLL_MS);
    if (inProgress() > 0)
      logger.warn(
        { liveCalls: inProgress() },
        'drain timeout: ending the calls still in progress (their answers are kept)',
      );
    await stop();
  };

  return {
    url,
    server,
    db,
    health,
    callOrchestrator,
    recordings,
    smsWorker: sms.worker,
    twilioStandIn: messaging.standIn,
    metricsUrl: metricsEndpoint?.url,
    drain,
    stop,
  };
}

import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { loadConfig, type Config } from './config/config.ts';
import { resolveDataKeys } from './config/resolve-data-keys.ts';
import { createProcessLogger } from './ops/logger.ts';
import { startMetricsEndpoint, type MetricsEndpoint } from './ops/metrics-endpoint.ts';
import { ServiceMetrics } from './ops/service-metrics.ts';
import { startTracing } from './ops/tracing.ts';
import { twilioMessagingEndpoint, type TwilioMessagingEndpoint } from './service/external-endpoints.ts';
import type { Outcome } from './sms/outbox-worker.ts';
import { ReviewLinks } from './sms/review-link.ts';
import { startSmsDelivery, type SmsDelivery } from './sms/sms-delivery.ts';
import { SmsMetrics } from './sms/sms-metrics.ts';
import { openDatabase } from './store/database.ts';
import { FieldCipher } from './store/field-cipher.ts';
import { isSchemaCurrent } from './store/migrations.ts';
import { ResumeLinks } from './web/resume-link.ts';

/**
 * npm run worker: the SMS outbox worker alone, for deployments that run it
 * apart from the web service (which then sets SMS_WORKER=false). It reads the
 * same settings as the service. Any number of these, and the service's own
 * worker, can run over one database: rows are claimed under leases.
 *
 * It checks the schema and does not migrate, although migrate() is
 * idempotent: the schema changes with the service's deploy, and a worker
 * started first (a newer build rolled out early, a cron job run from a fresh
 * checkout) would otherwise change it under the running service. Refusing
 * keeps the order explicit: the service first, then its workers.
 */

const USAGE = `Usage: npm run worker [-- --once]

Runs only the SMS outbox worker, with the service's settings (.env.example);
set SMS_WORKER=false on the web service when this runs instead.

  --once   send every text that is due now, print how many rows were handled, and exit
  --help   show this
`;
const SETTINGS_HELP = 'See .env.example and the Configuration table in README.md for every setting.';

interface WorkerOptions {
  readonly once: boolean;
  readonly help: boolean;
}

function parseOptions(args: readonly string[]): WorkerOptions | string {
  try {
    const { values } = parseArgs({
      args: [...args],
      options: { once: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
      strict: true,
      allowPositionals: false,
    });
    return { once: values.once, help: values.help };
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (typeof options === 'string') fail(`${options}\n\n${USAGE}`);
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  const loaded = loadConfig(process.env);
  if (!loaded.ok) fail(`${loaded.error.message}\n${SETTINGS_HELP}`);
  const { config } = loaded;
  const logger = createProcessLogger(config);
  const tracing = await startTracing(config.telemetry);
  const dataKeys = await step(
    'reading the data keys',
    'Set DATA_KEYS (see .env.example), or in development fix or remove DEV_DATA_KEYS_FILE.',
    () => Promise.resolve(resolveDataKeys(config, logger)),
  );
  const db = await step(
    'opening the database',
    'Check DATABASE_URL (and DATABASE_AUTH_TOKEN for a libsql:// database).',
    () => openDatabase(config.database),
  );
  if (!(await isSchemaCurrent(db))) {
    db.close();
    fail(schemaProblem(config));
  }
  // This process's own metrics (METRICS_PORT): the texts it settles, the outbox backlog, the process itself.
  const metrics = config.telemetry.metrics === undefined ? undefined : new ServiceMetrics();
  const { messaging, sms } = await step(
    'starting SMS delivery',
    'Check PUBLIC_BASE_URL, REDIS_URL and the Twilio settings it names.',
    async () => {
      const messaging = await twilioMessagingEndpoint(config, logger, config.sms.apiBaseUrl);
      const sms = await startSmsDelivery(
        config,
        db,
        new FieldCipher(dataKeys),
        {
          review: new ReviewLinks(config.publicBaseUrl, dataKeys),
          resume: new ResumeLinks(config.publicBaseUrl, dataKeys),
        },
        logger,
        messaging,
        metrics === undefined ? undefined : new SmsMetrics(metrics),
      );
      return { messaging, sms };
    },
  );
  const metricsEndpoint = await startWorkerMetrics(config, metrics, sms, logger);
  // The worker first (rows in hand finish, rows waiting for a retry are given back), then what it sent through.
  const closeDelivery = async (): Promise<void> => {
    await sms.close();
    await messaging.close();
    await metricsEndpoint?.close();
  };
  const stopRequested = onStopRequest(logger);
  const about = { owner: sms.worker.owner, ...describeDelivery(config, messaging) };

  if (options.once) {
    // A signal (or an unexpected error) ends the pass after the rows in hand; the count still prints.
    // An object, not a let: it is set in a callback, which narrowing cannot see.
    const pass = { faulted: false };
    void stopRequested.then((request) => {
      pass.faulted = 'fault' in request;
      return sms.worker.stop();
    });
    logger.info({ ...about, mode: 'once' }, 'SMS worker is sending every due text, then exiting');
    const handled = await step(
      'sending due texts',
      'Rows it had claimed are tried again once their lease expires: run it again when the cause is fixed.',
      () => sms.worker.drain(),
    );
    const circuit = sms.worker.circuit;
    await closeDelivery();
    db.close();
    await tracing.shutdown();
    process.stdout.write(`${onceSummary(handled, sms.worker.tally, circuit)}\n`);
    process.exit(pass.faulted ? 1 : 0);
  }

  sms.worker.start();
  logger.info({ ...about, mode: 'continuous' }, 'SMS worker is running');
  const request = await stopRequested;
  logger.info(request, 'stopping: finishing the texts in hand, giving back rows that wait for a retry');
  await closeDelivery();
  db.close();
  await tracing.shutdown();
  const tally = sms.worker.tally;
  logger.info({ ...request, owner: sms.worker.owner, handled: total(tally), outcomes: tally }, 'SMS worker stopped');
  process.exit('fault' in request ? 1 : 0);
}

type StopRequest = { readonly signal: NodeJS.Signals } | { readonly fault: 'unhandledRejection' | 'uncaughtException' };

/**
 * Resolves on SIGTERM or SIGINT, or on a bug that escaped every handler (then the worker stops the same way and
 * the process exits 1, for the platform to start a fresh one); a second signal exits 1 at once.
 */
function onStopRequest(logger: Logger): Promise<StopRequest> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn(
          { signal },
          'second signal: exiting at once; rows in hand are tried again when their lease expires',
        );
        process.exit(1);
      }
      stopping = true;
      resolve({ signal });
    };
    const onFault = (fault: 'unhandledRejection' | 'uncaughtException') => (error: unknown) => {
      logger.fatal({ err: error, fault }, 'unexpected error: the SMS worker stops, then the process exits 1');
      if (stopping) return;
      stopping = true;
      resolve({ fault });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    process.on('unhandledRejection', onFault('unhandledRejection'));
    process.on('uncaughtException', onFault('uncaughtException'));
  });
}

async function startWorkerMetrics(
  config: Config,
  metrics: ServiceMetrics | undefined,
  sms: SmsDelivery,
  logger: Logger,
): Promise<MetricsEndpoint | undefined> {
  const settings = config.telemetry.metrics;
  if (metrics === undefined || settings === undefined) return undefined;
  // A worker that answers a scrape is doing its job (it takes no traffic): permitline_ready is not 0 only for want of a source.
  metrics.readFrom({ outboxBacklog: () => sms.outbox.backlog(), ready: () => Promise.resolve(true) });
  return step('starting the metrics listener', 'Check METRICS_PORT and METRICS_HOST: is the port free?', () =>
    startMetricsEndpoint(metrics.registry, settings, logger),
  );
}

/** Runs one start-up or run step; a failure says which step failed and what to do next. */
async function step<T>(what: string, next: string, task: () => Promise<T>): Promise<T> {
  try {
    return await task();
  } catch (error) {
    throw new Error(`${what} failed: ${error instanceof Error ? error.message : String(error)}\n${next}`, {
      cause: error,
    });
  }
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function schemaProblem(config: Config): string {
  return [
    `The database at ${describeDatabase(config)} does not have the current schema, or could not be read.`,
    'The SMS worker does not migrate: start the service once against this database (npm start applies the migrations in src/store/migrations/), then start the worker again.',
    'If the database is remote, also check DATABASE_URL and DATABASE_AUTH_TOKEN.',
  ].join('\n');
}

function describeDatabase(config: Config): string {
  return config.database.url.startsWith('file:') ? config.database.url : 'DATABASE_URL (remote)';
}

function describeDelivery(config: Config, messaging: TwilioMessagingEndpoint): Record<string, string | number> {
  let twilio = 'Twilio';
  if (messaging.standIn !== undefined)
    twilio = `a local Twilio stand-in started here (${messaging.standIn.baseUrl}): texts are logged, not sent`;
  else if (config.sms.sender === undefined) twilio = `the Twilio stand-in at ${config.sms.apiBaseUrl ?? '?'}`;
  return {
    twilio,
    ratePerSecond: config.sms.ratePerSecond === 0 ? 'no limit' : config.sms.ratePerSecond,
    rateShared: config.redisUrl === undefined ? 'this process only' : 'across instances (Redis)',
    pollIntervalMs: config.sms.pollIntervalMs,
    database: describeDatabase(config),
  };
}

function total(tally: Readonly<Record<Outcome, number>>): number {
  return Object.values(tally).reduce((sum, n) => sum + n, 0);
}

function onceSummary(
  handled: number,
  tally: Readonly<Record<Outcome, number>>,
  circuit: SmsDelivery['worker']['circuit'],
): string {
  const rows = `${handled} row${handled === 1 ? '' : 's'}`;
  const outcomes = `${tally.sent} sent, ${tally.adopted} already at Twilio, ${tally.failed} failed, ${tally.released} given back for a later retry, ${tally['lost-lease']} left to another worker`;
  const twilioDown =
    circuit === 'closed' ? '' : ' Twilio kept failing (circuit open): the rest wait in the outbox for the next run.';
  return `SMS worker --once: handled ${rows} (${outcomes}).${twilioDown}`;
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    process.stderr.write(`The SMS worker stopped: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}

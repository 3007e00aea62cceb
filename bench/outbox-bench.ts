import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@libsql/client';
import { loadConfig, type Config } from '../src/config/config.ts';
import { KEY_BYTES } from '../src/keys/data-keys.ts';
import { createLogger } from '../src/ops/logger.ts';
import { PERMIT_TYPE_LABELS } from '../src/permits/permit-types.ts';
import { REFERENCE_ALPHABET, REFERENCE_RANDOM_LENGTH } from '../src/permits/reference-number.ts';
import { twilioMessagingEndpoint } from '../src/service/external-endpoints.ts';
import { LOCAL_TWILIO_ACCOUNT_SID } from '../src/sim/local-stand-ins.ts';
import { startTwilioStandIn, type TwilioStandIn } from '../src/sim/twilio-stand-in.ts';
import { ReviewLinks } from '../src/sms/review-link.ts';
import { startSmsDelivery, type SmsDelivery } from '../src/sms/sms-delivery.ts';
import { buildSmsSummary } from '../src/sms/summary-text.ts';
import { ApplicationRepository } from '../src/store/application-repository.ts';
import { openDatabase } from '../src/store/database.ts';
import { FieldCipher } from '../src/store/field-cipher.ts';
import { migrate } from '../src/store/migrations.ts';
import { SmsOutboxRepository } from '../src/store/sms-outbox-repository.ts';
import { ResumeLinks } from '../src/web/resume-link.ts';
import type { OutboxFigures } from './bench-report.ts';
import { machineBusySeconds } from './service-process.ts';

/**
 * The SMS outbox figure: how many rows a second the outbox worker drains with
 * the rate limit lifted (SMS_RATE_PER_SECOND=0), against the local Twilio
 * stand-in. Everything runs in the bench process, as `npm start` would run it
 * without a Twilio account: the worker, a temporary libSQL file database and
 * the stand-in (which posts no status callbacks here). Seeding is not timed;
 * only `worker.drain()` is.
 */

export interface OutboxBenchOptions {
  readonly rows: number;
  /** Workers draining at once, each with its own database connection to the same file (all in this process). */
  readonly workers: number;
  /** Aborting stops the workers; the bench then rejects with the signal's reason. */
  readonly signal: AbortSignal;
  readonly out: (text: string) => void;
}

const PROGRESS_INTERVAL_MS = 1_000;
const BENCH_AUTH_TOKEN = 'bench-outbox-twilio-auth-token';
const PUBLIC_BASE_URL = 'https://permits.example.org';
// Fictional numbers: 555-0100 to 555-0199 are reserved for fiction in the North American plan.
const FICTIONAL_PHONE_PREFIX = '+1312555';
const FICTIONAL_LINES = 100;
const FIRST_FICTIONAL_LINE = 100;
const PHONE_LINE_DIGITS = 4;
const BENCH_PERMIT_TYPE = 'mobile_food_unit';
const US_PER_S = 1e6;
const NS_PER_MS = 1e6;
const NS_PER_S = 1e9;

/** Every reference is distinct and valid (the alphabet and length of a real one): row i is i written in base 31. */
export const MAX_OUTBOX_ROWS = REFERENCE_ALPHABET.length ** REFERENCE_RANDOM_LENGTH;

export async function runOutboxBench(options: OutboxBenchOptions): Promise<OutboxFigures> {
  const { out, signal } = options;
  if (!Number.isInteger(options.rows) || options.rows < 1 || options.rows > MAX_OUTBOX_ROWS)
    throw new RangeError(`rows must be a whole number from 1 to ${MAX_OUTBOX_ROWS}`);
  if (!Number.isInteger(options.workers) || options.workers < 1)
    throw new RangeError('workers must be a whole number from 1');
  const scratch = await mkdtemp(join(tmpdir(), 'permitline-outbox-bench-'));
  const connections: Client[] = [];
  const deliveries: SmsDelivery[] = [];
  let standIn: TwilioStandIn | undefined;
  let progress: NodeJS.Timeout | undefined;
  const stopWorkers = (): void => {
    for (const delivery of deliveries) void delivery.worker.stop();
  };
  signal.addEventListener('abort', stopWorkers, { once: true });
  try {
    const config = benchConfig(`file:${join(scratch, 'outbox.db')}`);
    const dataKeys = config.dataKeys;
    if (dataKeys === undefined) throw new Error('the bench config has no DATA_KEYS');
    const cipher = new FieldCipher(dataKeys);
    const links = {
      review: new ReviewLinks(config.publicBaseUrl, dataKeys),
      resume: new ResumeLinks(config.publicBaseUrl, dataKeys),
    };
    const logger = createLogger(config.logLevel);

    const seedDb = await openDatabase(config.database);
    connections.push(seedDb);
    await migrate(seedDb);
    const seedSeconds = await seed(seedDb, cipher, options.rows, out);
    signal.throwIfAborted();

    standIn = await startTwilioStandIn({
      accountSid: LOCAL_TWILIO_ACCOUNT_SID,
      authToken: config.twilio.authToken,
      deliver: false,
    });
    for (let i = 0; i < options.workers; i += 1) {
      const db = await openDatabase(config.database);
      connections.push(db);
      const messaging = await twilioMessagingEndpoint(config, logger, standIn.baseUrl);
      deliveries.push(await startSmsDelivery(config, db, cipher, links, logger, messaging));
    }

    out(`  draining with ${options.workers} worker${options.workers === 1 ? '' : 's'} (rate limit lifted)\n`);
    const sentSoFar = standIn;
    const machineBefore = await machineBusySeconds();
    const startNs = process.hrtime.bigint();
    const cpuBefore = process.cpuUsage();
    progress = setInterval(() => {
      out(
        `  t=${(Number(process.hrtime.bigint() - startNs) / NS_PER_S).toFixed(0).padStart(3)} s  sent ${sentSoFar.createRequests}/${options.rows}\n`,
      );
    }, PROGRESS_INTERVAL_MS);
    const handled = await Promise.all(deliveries.map((delivery) => delivery.worker.drain()));
    const cpu = process.cpuUsage(cpuBefore);
    const drainSeconds = Number(process.hrtime.bigint() - startNs) / NS_PER_S;
    const cpuSeconds = (cpu.user + cpu.system) / US_PER_S;
    const machineSeconds = (await machineBusySeconds()) - machineBefore;
    clearInterval(progress);
    signal.throwIfAborted();

    const messages = standIn.messages;
    return {
      rows: options.rows,
      workers: options.workers,
      seedSeconds,
      drainSeconds,
      handled: handled.reduce((sum, n) => sum + n, 0),
      handledPerWorker: handled,
      createRequests: standIn.createRequests,
      messagesAtStandIn: messages.length,
      distinctMessages: new Set(messages.map((m) => `${m.to} ${m.body}`)).size,
      outbox: await new SmsOutboxRepository(seedDb, cipher).countByStatus(),
      cpuSeconds,
      otherCpuSeconds: Math.max(0, machineSeconds - cpuSeconds),
      machine: { cpus: availableParallelism(), node: process.version },
    };
  } finally {
    clearInterval(progress);
    signal.removeEventListener('abort', stopWorkers);
    for (const delivery of deliveries) await delivery.close();
    for (const db of connections) db.close();
    await standIn?.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The service's own settings schema, as `npm start` would read them in development without a Twilio account. */
function benchConfig(databaseUrl: string): Config {
  const loaded = loadConfig({
    NODE_ENV: 'development',
    DATABASE_URL: databaseUrl,
    DATA_KEYS: `bench:${randomBytes(KEY_BYTES).toString('base64')}`,
    SMS_RATE_PER_SECOND: '0',
    SMS_WORKER: 'false',
    PUBLIC_BASE_URL,
    LOG_LEVEL: 'silent',
    TWILIO_AUTH_TOKEN: BENCH_AUTH_TOKEN,
  });
  if (!loaded.ok) throw loaded.error;
  return loaded.config;
}

/**
 * Queues one summary per submitted application, through the repository the
 * web form and the voice agent use (draft, then submit with its outbox row in
 * one transaction). The local driver runs statements synchronously and never
 * yields to timers, so progress is printed from the loop itself.
 */
async function seed(db: Client, cipher: FieldCipher, rows: number, out: (text: string) => void): Promise<number> {
  const repository = new ApplicationRepository(db, cipher);
  const year = new Date().getUTCFullYear();
  const startNs = process.hrtime.bigint();
  let lastReportNs = startNs;
  out(`  seeding ${rows} pending outbox rows\n`);
  for (let i = 0; i < rows; i += 1) {
    const id = await repository.createDraft('web');
    const reference = referenceFor(year, i);
    const body = buildSmsSummary({
      reference,
      permitTypeLabel: PERMIT_TYPE_LABELS[BENCH_PERMIT_TYPE],
      businessName: `Bench Street Kitchen ${i}`,
    });
    await repository.markSubmitted(id, reference, { toPhone: fictionalPhone(i), body });
    const nowNs = process.hrtime.bigint();
    if (Number(nowNs - lastReportNs) >= PROGRESS_INTERVAL_MS * NS_PER_MS) {
      out(`  seeded ${i + 1}/${rows}\n`);
      lastReportNs = nowNs;
    }
  }
  return Number(process.hrtime.bigint() - startNs) / NS_PER_S;
}

function referenceFor(year: number, index: number): string {
  let code = '';
  let n = index;
  for (let k = 0; k < REFERENCE_RANDOM_LENGTH; k += 1) {
    code += REFERENCE_ALPHABET[n % REFERENCE_ALPHABET.length] ?? '';
    n = Math.floor(n / REFERENCE_ALPHABET.length);
  }
  return `FP-${year}-${code}`;
}

function fictionalPhone(index: number): string {
  return `${FICTIONAL_PHONE_PREFIX}${String(FIRST_FICTIONAL_LINE + (index % FICTIONAL_LINES)).padStart(PHONE_LINE_DIGITS, '0')}`;
}

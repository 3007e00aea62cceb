import { z } from 'zod';
import { parseOfficeHours, type OfficeHours } from '../permits/office-hours.ts';
import { parsePhoneInput } from '../permits/field-inputs.ts';
import { ConfigError } from '../errors.ts';
import { parseDataKeys, type DataKey } from '../keys/data-keys.ts';
import { readSecretFiles } from './secret-files.ts';

/**
 * Every setting the service reads, in one schema. Names follow the vendors'
 * conventions (see docs/architecture.md) so their libraries and habits work unchanged.
 * `.env.example` and the README's table document the same list.
 */
const DEFAULT_PORT = 3000;
const DEFAULT_DISTRICTS = 'Central,North County,South County,East Valley,West Valley';
// gpt-realtime, late 2025, US dollars per million tokens (docs/protocols.md, §2 Realtime: cost): keep prices in
// configuration, they change. Transcription is billed separately and that section gives no price for it: 0 until
// configured (its tokens are recorded regardless).
const DEFAULT_PRICES =
  'text_in=4,text_cached=0.4,text_out=16,audio_in=32,audio_cached=0.4,audio_out=64,transcription_in=0,transcription_out=0';
/** The kinds of tokens the model bills, each with its price (the usage meter counts the same kinds). */
export const PRICE_NAMES = [
  'text_in',
  'text_cached',
  'text_out',
  'audio_in',
  'audio_cached',
  'audio_out',
  'transcription_in',
  'transcription_out',
] as const;
export type TokenPrices = Readonly<Record<(typeof PRICE_NAMES)[number], number>>;
/** Used only to sign local simulated calls; production refuses it. */
export const DEV_TWILIO_AUTH_TOKEN = 'dev-twilio-auth-token-not-secret';

const booleanSetting = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * The abuse limits' defaults. Per client address: a person sends a form a few times at most (a mistake or two);
 * a link is opened a few times; a page view is a handful of requests. Per number: a summary per application and a
 * web link per draft. Calls: a dropped call is called back a few times; one line per caller; and 100 calls per
 * instance is the load the 2-core machine carried within its latency targets (docs/performance.md).
 */
export const DEFAULT_LIMITS = {
  formPostsPerHour: 10,
  linkVisitsPerHour: 60,
  requestsPerMinute: 300,
  textsPerNumberPerDay: 5,
  callsPerCallerPerHour: 6,
  callsAtOncePerCaller: 1,
  callsAtOncePerInstance: 100,
} as const;

/** A count limit: a whole number, 0 for no limit. */
function limitSetting(fallback: number) {
  return z.coerce
    .number({ error: 'must be a whole number (0 for no limit)' })
    .int({ error: 'must be a whole number (0 for no limit)' })
    .min(0, { error: 'must be a whole number (0 for no limit)' })
    .max(1_000_000)
    .default(fallback);
}

/** The caller-audio pace a service without a model key allows: the simulated phone's default speed (src/cli/call-options.ts). */
export const LOCAL_SIMULATOR_MAX_PACE = 4;

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const environmentSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'test', 'production'], { error: 'must be development, test or production' })
    .default('development'),
  PORT: z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535).default(DEFAULT_PORT),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  PUBLIC_BASE_URL: optionalText.pipe(
    z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://permits.example.org' }).optional(),
  ),
  DATABASE_URL: z.string().trim().min(1).default('file:data/permitline.db'),
  DATABASE_AUTH_TOKEN: optionalText,
  DATABASE_TIMEOUT_MS: z.coerce.number({ error: 'must be milliseconds' }).int().min(100).max(120_000).default(5_000),
  ALLOW_FILE_DATABASE: booleanSetting.default(false),
  DATA_KEYS: optionalText,
  DEV_DATA_KEYS_FILE: z.string().trim().min(1).default('data/dev-data-keys'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  // Unset: pretty on a terminal, JSON otherwise (src/ops/logger.ts).
  LOG_FORMAT: z.enum(['json', 'pretty'], { error: 'must be json or pretty' }).optional(),
  HEALTH_DISTRICTS: z.string().default(DEFAULT_DISTRICTS),
  DEPARTMENT_TIME_ZONE: z.string().trim().default('America/Los_Angeles'),
  // The department as applicants know it, in every page's header; unset, the pages' own words for a health department.
  DEPARTMENT_NAME: optionalText.pipe(z.string().max(100, { error: 'must be at most 100 characters' }).optional()),
  // The public number applicants may call to apply; unset, the form says they can apply by phone without a number.
  DEPARTMENT_PHONE: optionalText,
  // Where a caller who presses 0 or asks for a person is put through to; unset, nobody is (the caller is told so).
  STAFF_TRANSFER_NUMBER: optionalText,
  OFFICE_HOURS: z.string().trim().default('Mon-Fri 08:00-17:00'),
  TRUST_PROXY: optionalText,
  TWILIO_ACCOUNT_SID: optionalText.pipe(
    z
      .string()
      .regex(/^AC[0-9a-f]{32}$/, { error: 'must be an Account SID (AC followed by 32 hex digits)' })
      .optional(),
  ),
  TWILIO_AUTH_TOKEN: optionalText,
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()),
  REALTIME_MODEL: z.string().trim().min(1).default('gpt-realtime'),
  REALTIME_VOICE: z.string().trim().min(1).default('marin'),
  // Phone lines are noisy: above the documented 0.5 / 500 ms defaults (docs/protocols.md, §2 Realtime: turn detection).
  REALTIME_VAD_THRESHOLD: z.coerce.number({ error: 'must be a number from 0 to 1' }).min(0).max(1).default(0.6),
  REALTIME_VAD_SILENCE_MS: z.coerce.number({ error: 'must be milliseconds' }).int().min(100).max(5000).default(600),
  REALTIME_VAD_PREFIX_MS: z.coerce.number({ error: 'must be milliseconds' }).int().min(0).max(2000).default(300),
  TRANSCRIPTION_MODEL: z.string().trim().min(1).default('gpt-4o-transcribe'),
  // Connecting to the model is on the caller's time: give up quickly and let the call end politely.
  MODEL_CONNECT_TIMEOUT_MS: z.coerce
    .number({ error: 'must be milliseconds' })
    .int()
    .min(100)
    .max(60_000)
    .default(3_000),
  MODEL_CIRCUIT_RESET_MS: z.coerce.number({ error: 'must be milliseconds' }).int().min(10).default(30_000),
  // Sessions end at a fixed age (60 minutes today); a long call moves to a new one this long before.
  MODEL_SESSION_RENEW_BEFORE_MS: z.coerce.number({ error: 'must be milliseconds' }).int().min(0).default(180_000),
  REALTIME_PRICES_USD_PER_MTOK: z.string().default(DEFAULT_PRICES),
  // A caller silent this long on their turn is asked once if they are still there, then told their answers are kept
  // and the call ends (docs/caller-experience.md, "Silence and length"). Decimals allowed; 0 turns it off.
  CALLER_SILENCE_SECONDS: z.coerce
    .number({ error: 'must be seconds (0 for off)' })
    .min(0, { error: 'must be seconds (0 for off)' })
    .max(600)
    .default(20),
  // An intake call takes minutes; one this long is wrapped up politely with its answers kept. Decimals allowed; 0: none.
  MAX_CALL_MINUTES: z.coerce
    .number({ error: 'must be minutes (0 for no limit)' })
    .min(0, { error: 'must be minutes (0 for no limit)' })
    .max(240)
    .default(20),
  STREAM_TOKEN_TTL_SECONDS: z.coerce.number({ error: 'must be seconds' }).int().min(5).max(600).default(60),
  SIMULATOR_SCENARIO: z.string().trim().min(1).default('happy-path'),
  // Off unless asked for: a recorded call must be announced, and the recordings are personal data to look after.
  RECORD_CALLS: booleanSetting.default(false),
  RECORDINGS_DIR: z.string().trim().min(1).default('data/recordings'),
  // Recordings in an S3-compatible bucket (docs/recordings.md), shared by every instance; unset keeps RECORDINGS_DIR.
  // Credentials are the SDK's own (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or the task role): never read here.
  RECORDINGS_S3_BUCKET: optionalText.pipe(
    z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
        error: 'must be a bucket name: 3 to 63 lower-case letters, digits, dots or hyphens',
      })
      .optional(),
  ),
  RECORDINGS_S3_ENDPOINT: optionalText.pipe(
    z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://minio.internal:9000' }).optional(),
  ),
  RECORDINGS_S3_REGION: z.string().trim().min(1).default('us-east-1'),
  RECORDINGS_S3_PREFIX: optionalText,
  RECORDINGS_S3_TIMEOUT_MS: z.coerce
    .number({ error: 'must be milliseconds' })
    .int()
    .min(100)
    .max(300_000)
    .default(15_000),
  // A recording the bucket did not take waits in RECORDINGS_DIR and is tried again this often (and at start).
  RECORDINGS_S3_RETRY_MS: z.coerce
    .number({ error: 'must be milliseconds' })
    .int()
    .min(100)
    .max(3_600_000)
    .default(60_000),
  // An intake call takes minutes; half an hour holds 29 MB of mu-law per live call. The call goes on unrecorded after.
  RECORDING_MAX_MS: z.coerce
    .number({ error: 'must be milliseconds' })
    .int()
    .min(1_000)
    .max(14_400_000)
    .default(1_800_000),
  // Twilio streams caller audio in real time (1). Without OPENAI_API_KEY the callers are simulated ones, which npm run
  // call and npm run demo run 4× faster by default, so there the default is 4 (LOCAL_SIMULATOR_MAX_PACE).
  MEDIA_MAX_PACE: z.coerce.number({ error: 'must be a number, 1 for real time' }).min(1).max(1000).optional(),
  // Audio that may arrive at once after a network stall: two TCP retransmission timeouts (1 s, then 2 s) with room.
  MEDIA_BURST_MS: z.coerce.number({ error: 'must be milliseconds' }).int().min(200).max(60_000).default(5_000),
  TWILIO_FROM_NUMBER: optionalText.pipe(
    z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, { error: 'must be an E.164 number such as +13125550100' })
      .optional(),
  ),
  TWILIO_MESSAGING_SERVICE_SID: optionalText.pipe(
    z
      .string()
      .regex(/^MG[0-9a-f]{32}$/, { error: 'must be a Messaging Service SID (MG followed by 32 hex digits)' })
      .optional(),
  ),
  // A Twilio stand-in already running elsewhere (a test's, or one shared by several local processes); development and tests only.
  TWILIO_API_BASE_URL: optionalText.pipe(
    z
      .url({
        protocol: /^https?$/,
        error: 'must be an http(s) URL such as http://127.0.0.1:4010 (a running Twilio stand-in)',
      })
      .optional(),
  ),
  SMS_WORKER: booleanSetting.default(true),
  // A US long code sends about one message a second; toll-free and short codes more. 0 lifts the limit.
  SMS_RATE_PER_SECOND: z.coerce
    .number({ error: 'must be messages per second (0 for no limit)' })
    .min(0)
    .max(1000)
    .default(1),
  SMS_MAX_ATTEMPTS: z.coerce.number({ error: 'must be a whole number' }).int().min(1).max(20).default(6),
  SMS_RETRY_MIN_MS: z.coerce.number({ error: 'must be milliseconds' }).int().min(0).default(1_000),
  SMS_RETRY_MAX_MS: z.coerce.number({ error: 'must be milliseconds' }).int().min(0).default(60_000),
  SMS_REQUEST_TIMEOUT_MS: z.coerce
    .number({ error: 'must be milliseconds' })
    .int()
    .min(100)
    .max(120_000)
    .default(10_000),
  SMS_POLL_INTERVAL_MS: z.coerce.number({ error: 'must be milliseconds' }).int().min(10).default(5_000),
  SMS_CIRCUIT_RESET_MS: z.coerce.number({ error: 'must be milliseconds' }).int().min(10).default(30_000),
  // How long a claimed text stays another worker's after its worker vanished (a crash). Never below a request's
  // worst case (two timeouts and a retry pause): a live worker must not lose a row it is still sending.
  SMS_LEASE_MS: z.coerce.number({ error: 'must be milliseconds' }).int().min(1_000).max(3_600_000).optional(),
  // Live calls may finish for this long after SIGTERM; the platform's grace period must be longer.
  DRAIN_TIMEOUT_MS: z.coerce.number({ error: 'must be milliseconds' }).int().min(0).max(3_600_000).default(300_000),
  // After an unexpected error the process may be in a bad state: live calls get a short while, not the deploy's drain.
  FAULT_DRAIN_TIMEOUT_MS: z.coerce.number({ error: 'must be milliseconds' }).int().min(0).max(600_000).default(30_000),
  // Staff sign-in: signed out after this long without a request, and after the absolute limit whatever happens.
  STAFF_IDLE_TIMEOUT_MS: z.coerce
    .number({ error: 'must be milliseconds' })
    .int()
    .min(1_000)
    .max(86_400_000)
    .default(1_800_000),
  STAFF_SESSION_MAX_MS: z.coerce
    .number({ error: 'must be milliseconds' })
    .int()
    .min(1_000)
    .max(7 * 86_400_000)
    .default(28_800_000),
  // Drafts, calls, transcripts and recordings are erased this long after; submitted applications are kept
  // (docs/adr/0006-retention.md). At least 30: a draft can be resumed for up to 14 days after its last answer.
  RETENTION_DAYS: z.coerce
    .number({ error: 'must be a whole number of days' })
    .int({ error: 'must be a whole number of days' })
    .min(30, { error: 'must be at least 30 days (a draft can still be resumed up to 14 days after its last answer)' })
    .max(3650, { error: 'must be at most 3650 days (ten years)' })
    .default(90),
  REDIS_URL: optionalText.pipe(
    z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  ),
  // Abuse limits (README, "Limits"); 0 lifts each one. Defaults beside the names in DEFAULT_LIMITS.
  RATE_LIMIT_FORM_POSTS_PER_HOUR: limitSetting(DEFAULT_LIMITS.formPostsPerHour),
  RATE_LIMIT_LINK_VISITS_PER_HOUR: limitSetting(DEFAULT_LIMITS.linkVisitsPerHour),
  RATE_LIMIT_REQUESTS_PER_MINUTE: limitSetting(DEFAULT_LIMITS.requestsPerMinute),
  SMS_PER_NUMBER_PER_DAY: limitSetting(DEFAULT_LIMITS.textsPerNumberPerDay),
  CALLS_PER_CALLER_PER_HOUR: limitSetting(DEFAULT_LIMITS.callsPerCallerPerHour),
  CALLS_AT_ONCE_PER_CALLER: limitSetting(DEFAULT_LIMITS.callsAtOncePerCaller),
  CALLS_AT_ONCE_PER_INSTANCE: limitSetting(DEFAULT_LIMITS.callsAtOncePerInstance),
  // Traces (docs/observability.md): the OpenTelemetry SDK's own variable names, so an operator's habits carry over.
  // Off unless an exporter is named: a local run needs no collector.
  OTEL_SERVICE_NAME: z.string().trim().min(1).default('permitline'),
  OTEL_TRACES_EXPORTER: z.enum(['none', 'otlp', 'console'], { error: 'must be none, otlp or console' }).default('none'),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalText.pipe(
    z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:4318' }).optional(),
  ),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalText.pipe(
    z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:4318/v1/traces' }).optional(),
  ),
  OTEL_TRACES_SAMPLER: z
    .enum(
      [
        'always_on',
        'always_off',
        'traceidratio',
        'parentbased_always_on',
        'parentbased_always_off',
        'parentbased_traceidratio',
      ],
      {
        error:
          'must be one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio',
      },
    )
    .default('parentbased_always_on'),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number({ error: 'must be a ratio from 0 to 1' }).min(0).max(1).optional(),
  // Metrics (docs/observability.md): Prometheus scrapes a listener of its own, off unless METRICS_PORT is set and
  // on loopback unless METRICS_HOST says otherwise; METRICS_TOKEN, when set, is required as a bearer token.
  METRICS_PORT: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535).optional(),
  ),
  METRICS_HOST: z.string().trim().min(1).default('127.0.0.1'),
  METRICS_TOKEN: optionalText,
});

export interface Config {
  readonly nodeEnv: 'development' | 'test' | 'production';
  readonly port: number;
  readonly host: string;
  /** The origin callers' browsers and Twilio reach; links and signatures use it. */
  readonly publicBaseUrl: URL;
  /** timeoutMs: per request to a remote database (Turso). */
  readonly database: { readonly url: string; readonly authToken: string | undefined; readonly timeoutMs: number };
  /** Undefined only outside production: main.ts then loads or creates a development key file. */
  readonly dataKeys: readonly DataKey[] | undefined;
  readonly devDataKeysFile: string;
  readonly logLevel: string;
  /** LOG_FORMAT; undefined: decided by whether standard output is a terminal. */
  readonly logFormat: 'json' | 'pretty' | undefined;
  readonly healthDistricts: readonly string[];
  readonly departmentTimeZone: string;
  /** DEPARTMENT_NAME and DEPARTMENT_PHONE (E.164): who applicants deal with, and the number they may call. */
  readonly department: { readonly name: string | undefined; readonly phone: string | undefined };
  /** The staff line (STAFF_TRANSFER_NUMBER) and when someone answers it (OFFICE_HOURS, department time). */
  readonly staffTransfer: { readonly number: string | undefined; readonly hours: OfficeHours };
  readonly trustProxy: string | undefined;
  readonly twilio: { readonly accountSid: string | undefined; readonly authToken: string };
  readonly realtime: {
    /** Undefined outside production when no key is set: the service then starts the local realtime simulator. */
    readonly apiKey: string | undefined;
    readonly baseUrl: string | undefined;
    readonly model: string;
    readonly voice: string;
    readonly vad: { readonly threshold: number; readonly silenceMs: number; readonly prefixMs: number };
    readonly transcriptionModel: string;
    readonly prices: TokenPrices;
    readonly connectTimeoutMs: number;
    /** After the model kept failing, how long calls are answered without it before one tries again. */
    readonly circuitResetMs: number;
    readonly renewBeforeExpiryMs: number;
  };
  /** The conversation's own limits: the caller's silence before they are asked if still there, the call's length; 0: off. */
  readonly conversation: { readonly callerSilenceMs: number; readonly maxCallMs: number };
  readonly streamTokenTtlSeconds: number;
  readonly simulatorScenario: string;
  /**
   * enabled: new calls are recorded (and told so); dir: where recordings are kept (or, with s3, where those the
   * bucket has not taken yet wait), which staff can play even when off; maxMs: a recording stops at this length
   * while the call goes on.
   */
  readonly recordings: {
    readonly enabled: boolean;
    readonly dir: string;
    readonly maxMs: number;
    readonly s3: RecordingBucket | undefined;
  };
  /** How fast caller audio may arrive on a media stream before that call is closed. */
  readonly media: { readonly maxPace: number; readonly burstMs: number };
  readonly sms: {
    /** Undefined outside production when no Twilio account is set: texts then go to the local Twilio stand-in. */
    readonly sender: { readonly from: string } | { readonly messagingServiceSid: string } | undefined;
    /** A running Twilio stand-in to send to instead of starting one; only without a Twilio account, never in production. */
    readonly apiBaseUrl: string | undefined;
    /** Run the outbox worker inside the service (off when `npm run worker` runs it separately). */
    readonly workerInService: boolean;
    /** Messages per second across every instance sharing REDIS_URL; 0 for no limit. */
    readonly ratePerSecond: number;
    readonly maxAttempts: number;
    readonly retryMinMs: number;
    readonly retryMaxMs: number;
    readonly requestTimeoutMs: number;
    readonly pollIntervalMs: number;
    readonly circuitResetMs: number;
    /** Undefined: the default (src/sms/sms-delivery.ts). */
    readonly leaseMs: number | undefined;
  };
  readonly redisUrl: string | undefined;
  /** Personal data of drafts and calls older than this many days is erased (npm run retention, and daily in the service). */
  readonly retentionDays: number;
  /** After SIGTERM: how long live calls may go on before they are ended. */
  readonly drainTimeoutMs: number;
  /** After an unhandled rejection or uncaught exception: how long live calls may finish before the process exits 1. */
  readonly faultDrainTimeoutMs: number;
  readonly staffSessions: { readonly idleMs: number; readonly maxAgeMs: number };
  /** Abuse limits, each 0 for none (README, "Limits"). */
  readonly limits: Limits;
  readonly telemetry: Telemetry;
}

/** An S3-compatible bucket for recordings (docs/recordings.md); credentials come from the AWS SDK's own chain. */
export interface RecordingBucket {
  readonly bucket: string;
  /** Undefined: AWS S3 itself; otherwise an S3-compatible server, addressed path-style. */
  readonly endpoint: string | undefined;
  readonly region: string;
  /** Empty, or path segments each ending in "/". */
  readonly prefix: string;
  readonly timeoutMs: number;
  readonly retryMs: number;
}

/** Traces and metrics (docs/observability.md). */
export interface Telemetry {
  readonly serviceName: string;
  readonly traces: {
    /** none: no spans leave the process (the default); otlp: OTLP/HTTP to the collector; console: to stdout. */
    readonly exporter: 'none' | 'otlp' | 'console';
    /** The OTLP/HTTP traces URL (…/v1/traces), from OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT. */
    readonly otlpTracesUrl: string;
    readonly sampler: string;
    readonly samplerArg: number | undefined;
  };
  /** Undefined: no metrics listener (the default). */
  readonly metrics:
    { readonly port: number; readonly host: string; readonly bearerToken: string | undefined } | undefined;
}

export interface Limits {
  /** Per client address: POST /apply and POST /apply/resume. */
  readonly formPostsPerHour: number;
  /** Per client address: the resume-link and review-link pages. */
  readonly linkVisitsPerHour: number;
  /** Per client address: every other page except health probes, static files and Twilio's webhooks. */
  readonly requestsPerMinute: number;
  /** Texts (summaries and web links together) to one number in any 24 hours. */
  readonly textsPerNumberPerDay: number;
  readonly callsPerCallerPerHour: number;
  readonly callsAtOncePerCaller: number;
  /** The bulkhead: calls on the AI path at once on one instance; over it, calls go to the keypad IVR. */
  readonly callsAtOncePerInstance: number;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; error: ConfigError };

/** Reads the environment once (and the secret files it names); reports every problem at the same time, each with what to do. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): ConfigResult {
  const secrets = readSecretFiles(env);
  const parsed = environmentSchema.safeParse(secrets.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    return { ok: false, error: new ConfigError([...secrets.problems, ...problems]) };
  }
  const e = parsed.data;
  const problems: string[] = [...secrets.problems];
  const production = e.NODE_ENV === 'production';

  let dataKeys: DataKey[] | undefined;
  if (e.DATA_KEYS !== undefined) {
    const keys = parseDataKeys(e.DATA_KEYS);
    if (keys.ok) dataKeys = keys.keys;
    else problems.push(keys.problem);
  } else if (production) {
    problems.push(
      'DATA_KEYS is required in production: set it to id:base64key entries (see .env.example); development keys are never generated there.',
    );
  }

  if (production && e.PUBLIC_BASE_URL === undefined) {
    problems.push(
      'PUBLIC_BASE_URL is required in production: set it to the https origin Twilio and applicants reach, e.g. https://permits.example.org.',
    );
  }
  if (production && e.PUBLIC_BASE_URL?.startsWith('http:') === true) {
    problems.push('PUBLIC_BASE_URL must use https in production.');
  }
  if (!/^(file:|libsql:|https?:|wss?:|:memory:$)/.test(e.DATABASE_URL)) {
    problems.push('DATABASE_URL must be file:PATH, :memory: or libsql://HOST (Turso).');
  }
  if (production && (e.DATABASE_URL.startsWith('file:') || e.DATABASE_URL === ':memory:') && !e.ALLOW_FILE_DATABASE) {
    problems.push(
      'DATABASE_URL points at a local file in production: use libsql://… (Turso) or set ALLOW_FILE_DATABASE=true if a single-instance file database is really intended.',
    );
  }
  if (production && e.DATABASE_URL.startsWith('libsql:') && e.DATABASE_AUTH_TOKEN === undefined) {
    problems.push(
      'DATABASE_AUTH_TOKEN is required for a libsql:// database in production: create one with `turso db tokens create`.',
    );
  }

  const healthDistricts = e.HEALTH_DISTRICTS.split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
  if (healthDistricts.length === 0)
    problems.push('HEALTH_DISTRICTS must list at least one district, separated by commas.');
  if (new Set(healthDistricts.map((d) => d.toLowerCase())).size !== healthDistricts.length) {
    problems.push('HEALTH_DISTRICTS lists a district twice.');
  }
  if (!isTimeZone(e.DEPARTMENT_TIME_ZONE)) {
    problems.push(
      `DEPARTMENT_TIME_ZONE "${e.DEPARTMENT_TIME_ZONE}" is not an IANA time zone such as America/Los_Angeles.`,
    );
  }
  const officeHours = parseOfficeHours(
    e.OFFICE_HOURS,
    isTimeZone(e.DEPARTMENT_TIME_ZONE) ? e.DEPARTMENT_TIME_ZONE : 'UTC',
  );
  if (typeof officeHours === 'string') problems.push(officeHours);
  if (e.DEPARTMENT_PHONE !== undefined && parsePhoneInput(e.DEPARTMENT_PHONE) !== e.DEPARTMENT_PHONE) {
    problems.push('DEPARTMENT_PHONE must be a US or Canadian number in E.164 form, such as +12125550123.');
  }
  if (e.STAFF_TRANSFER_NUMBER !== undefined && parsePhoneInput(e.STAFF_TRANSFER_NUMBER) !== e.STAFF_TRANSFER_NUMBER) {
    problems.push('STAFF_TRANSFER_NUMBER must be a US or Canadian number in E.164 form, such as +14255550100.');
  }

  if (production && (e.TWILIO_AUTH_TOKEN === undefined || e.TWILIO_AUTH_TOKEN === DEV_TWILIO_AUTH_TOKEN)) {
    problems.push(
      'TWILIO_AUTH_TOKEN is required in production: copy it from the Twilio console; it signs every webhook.',
    );
  }
  if (production && e.OPENAI_API_KEY === undefined) {
    problems.push('OPENAI_API_KEY is required in production; the local realtime simulator only runs in development.');
  }
  if (
    production &&
    (e.TWILIO_ACCOUNT_SID === undefined ||
      (e.TWILIO_FROM_NUMBER === undefined && e.TWILIO_MESSAGING_SERVICE_SID === undefined))
  ) {
    problems.push(
      'TWILIO_ACCOUNT_SID and either TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID are required in production to send the SMS summary; the local Twilio stand-in only runs in development.',
    );
  }
  if (
    e.TWILIO_ACCOUNT_SID !== undefined &&
    e.TWILIO_FROM_NUMBER === undefined &&
    e.TWILIO_MESSAGING_SERVICE_SID === undefined
  ) {
    problems.push(
      'TWILIO_ACCOUNT_SID is set but no sender: set TWILIO_FROM_NUMBER (an SMS-capable number on the account) or TWILIO_MESSAGING_SERVICE_SID.',
    );
  }
  if (production && e.TWILIO_API_BASE_URL !== undefined) {
    problems.push(
      'TWILIO_API_BASE_URL is for development and tests only (it points SMS delivery at a Twilio stand-in): unset it in production.',
    );
  } else if (e.TWILIO_API_BASE_URL !== undefined && e.TWILIO_ACCOUNT_SID !== undefined) {
    problems.push(
      'TWILIO_API_BASE_URL and TWILIO_ACCOUNT_SID are both set: texts would go to Twilio and the stand-in URL would be ignored; unset one of them.',
    );
  }
  if (e.METRICS_PORT !== undefined && e.METRICS_TOKEN === undefined && !isLoopback(e.METRICS_HOST)) {
    problems.push(
      `METRICS_HOST ${e.METRICS_HOST} is not a loopback address: set METRICS_TOKEN too, so that only your Prometheus can read the metrics.`,
    );
  }
  if (e.METRICS_PORT !== undefined && e.METRICS_PORT !== 0 && e.METRICS_PORT === e.PORT) {
    problems.push('METRICS_PORT must differ from PORT: the metrics are never served on the public port.');
  }
  const recordingPrefix = bucketPrefix(e.RECORDINGS_S3_PREFIX);
  if (recordingPrefix === undefined)
    problems.push(
      'RECORDINGS_S3_PREFIX must be path segments of letters, digits, "_", "-" or "." (not starting with "."), separated by "/", e.g. permitline/recordings.',
    );
  if (
    e.RECORDINGS_S3_BUCKET === undefined &&
    (e.RECORDINGS_S3_ENDPOINT !== undefined || e.RECORDINGS_S3_PREFIX !== undefined)
  )
    problems.push(
      'RECORDINGS_S3_ENDPOINT or RECORDINGS_S3_PREFIX is set without RECORDINGS_S3_BUCKET: set the bucket to keep recordings there, or unset them to keep recordings in RECORDINGS_DIR.',
    );
  if (e.SMS_RETRY_MAX_MS < e.SMS_RETRY_MIN_MS) problems.push('SMS_RETRY_MAX_MS must be at least SMS_RETRY_MIN_MS.');
  const prices = parsePrices(e.REALTIME_PRICES_USD_PER_MTOK);
  if (typeof prices === 'string') problems.push(prices);

  if (problems.length > 0 || typeof prices === 'string') return { ok: false, error: new ConfigError(problems) };

  const config: Config = {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicBaseUrl: new URL(e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`),
    database: { url: e.DATABASE_URL, authToken: e.DATABASE_AUTH_TOKEN, timeoutMs: e.DATABASE_TIMEOUT_MS },
    dataKeys,
    devDataKeysFile: e.DEV_DATA_KEYS_FILE,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    healthDistricts,
    departmentTimeZone: e.DEPARTMENT_TIME_ZONE,
    department: { name: e.DEPARTMENT_NAME, phone: e.DEPARTMENT_PHONE },
    staffTransfer: {
      number: e.STAFF_TRANSFER_NUMBER,
      hours: typeof officeHours === 'string' ? { spans: [], timeZone: 'UTC' } : officeHours,
    },
    trustProxy: e.TRUST_PROXY,
    twilio: { accountSid: e.TWILIO_ACCOUNT_SID, authToken: e.TWILIO_AUTH_TOKEN ?? DEV_TWILIO_AUTH_TOKEN },
    realtime: {
      apiKey: e.OPENAI_API_KEY,
      baseUrl: e.OPENAI_BASE_URL,
      model: e.REALTIME_MODEL,
      voice: e.REALTIME_VOICE,
      vad: {
        threshold: e.REALTIME_VAD_THRESHOLD,
        silenceMs: e.REALTIME_VAD_SILENCE_MS,
        prefixMs: e.REALTIME_VAD_PREFIX_MS,
      },
      transcriptionModel: e.TRANSCRIPTION_MODEL,
      prices,
      connectTimeoutMs: e.MODEL_CONNECT_TIMEOUT_MS,
      circuitResetMs: e.MODEL_CIRCUIT_RESET_MS,
      renewBeforeExpiryMs: e.MODEL_SESSION_RENEW_BEFORE_MS,
    },
    conversation: {
      callerSilenceMs: Math.round(e.CALLER_SILENCE_SECONDS * 1000),
      maxCallMs: Math.round(e.MAX_CALL_MINUTES * 60_000),
    },
    streamTokenTtlSeconds: e.STREAM_TOKEN_TTL_SECONDS,
    simulatorScenario: e.SIMULATOR_SCENARIO,
    recordings: {
      enabled: e.RECORD_CALLS,
      dir: e.RECORDINGS_DIR,
      maxMs: e.RECORDING_MAX_MS,
      s3:
        e.RECORDINGS_S3_BUCKET === undefined
          ? undefined
          : {
              bucket: e.RECORDINGS_S3_BUCKET,
              endpoint: e.RECORDINGS_S3_ENDPOINT,
              region: e.RECORDINGS_S3_REGION,
              prefix: recordingPrefix ?? '',
              timeoutMs: e.RECORDINGS_S3_TIMEOUT_MS,
              retryMs: e.RECORDINGS_S3_RETRY_MS,
            },
    },
    media: {
      maxPace: e.MEDIA_MAX_PACE ?? (e.OPENAI_API_KEY === undefined ? LOCAL_SIMULATOR_MAX_PACE : 1),
      burstMs: e.MEDIA_BURST_MS,
    },
    sms: {
      sender: smsSender(e),
      apiBaseUrl: e.TWILIO_API_BASE_URL,
      workerInService: e.SMS_WORKER,
      ratePerSecond: e.SMS_RATE_PER_SECOND,
      maxAttempts: e.SMS_MAX_ATTEMPTS,
      retryMinMs: e.SMS_RETRY_MIN_MS,
      retryMaxMs: e.SMS_RETRY_MAX_MS,
      requestTimeoutMs: e.SMS_REQUEST_TIMEOUT_MS,
      pollIntervalMs: e.SMS_POLL_INTERVAL_MS,
      circuitResetMs: e.SMS_CIRCUIT_RESET_MS,
      leaseMs: e.SMS_LEASE_MS,
    },
    redisUrl: e.REDIS_URL,
    retentionDays: e.RETENTION_DAYS,
    drainTimeoutMs: e.DRAIN_TIMEOUT_MS,
    faultDrainTimeoutMs: e.FAULT_DRAIN_TIMEOUT_MS,
    staffSessions: { idleMs: e.STAFF_IDLE_TIMEOUT_MS, maxAgeMs: e.STAFF_SESSION_MAX_MS },
    limits: {
      formPostsPerHour: e.RATE_LIMIT_FORM_POSTS_PER_HOUR,
      linkVisitsPerHour: e.RATE_LIMIT_LINK_VISITS_PER_HOUR,
      requestsPerMinute: e.RATE_LIMIT_REQUESTS_PER_MINUTE,
      textsPerNumberPerDay: e.SMS_PER_NUMBER_PER_DAY,
      callsPerCallerPerHour: e.CALLS_PER_CALLER_PER_HOUR,
      callsAtOncePerCaller: e.CALLS_AT_ONCE_PER_CALLER,
      callsAtOncePerInstance: e.CALLS_AT_ONCE_PER_INSTANCE,
    },
    telemetry: {
      serviceName: e.OTEL_SERVICE_NAME,
      traces: {
        exporter: e.OTEL_TRACES_EXPORTER,
        otlpTracesUrl: otlpTracesUrl(e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, e.OTEL_EXPORTER_OTLP_ENDPOINT),
        sampler: e.OTEL_TRACES_SAMPLER,
        samplerArg: e.OTEL_TRACES_SAMPLER_ARG,
      },
      metrics:
        e.METRICS_PORT === undefined
          ? undefined
          : { port: e.METRICS_PORT, host: e.METRICS_HOST, bearerToken: e.METRICS_TOKEN },
    },
  };
  return { ok: true, config: Object.freeze(config) };
}

/** A Messaging Service wins over a single number: it is how Twilio spreads load and handles opt-outs across numbers. */
function smsSender(e: z.infer<typeof environmentSchema>): Config['sms']['sender'] {
  if (e.TWILIO_ACCOUNT_SID === undefined) return undefined;
  if (e.TWILIO_MESSAGING_SERVICE_SID !== undefined) return { messagingServiceSid: e.TWILIO_MESSAGING_SERVICE_SID };
  return e.TWILIO_FROM_NUMBER === undefined ? undefined : { from: e.TWILIO_FROM_NUMBER };
}

function parsePrices(text: string): TokenPrices | string {
  const problem = `REALTIME_PRICES_USD_PER_MTOK must list ${PRICE_NAMES.join(', ')} as name=dollars, separated by commas.`;
  const entries = text.split(',').map((pair) => pair.split('=').map((part) => part.trim()));
  const prices: Partial<Record<(typeof PRICE_NAMES)[number], number>> = {};
  for (const [name, value] of entries) {
    const amount = Number(value);
    if (
      !(PRICE_NAMES as readonly (string | undefined)[]).includes(name) ||
      value === undefined ||
      value === '' ||
      !Number.isFinite(amount) ||
      amount < 0
    )
      return problem;
    prices[name as (typeof PRICE_NAMES)[number]] = amount;
  }
  return PRICE_NAMES.every((name) => prices[name] !== undefined) ? (prices as TokenPrices) : problem;
}

/**
 * A recordings prefix as the bucket store takes it: slashes around it dropped and one put at its end, empty when
 * unset; undefined when a segment could be read as a path step ("." or "..") or holds other characters.
 */
function bucketPrefix(setting: string | undefined): string | undefined {
  const trimmed = (setting ?? '').replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return '';
  return trimmed.split('/').every((segment) => /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(segment))
    ? `${trimmed}/`
    : undefined;
}

/** The OTLP/HTTP rule: a signal-specific endpoint is used as given; the general one gets /v1/traces appended. */
function otlpTracesUrl(tracesEndpoint: string | undefined, endpoint: string | undefined): string {
  if (tracesEndpoint !== undefined) return tracesEndpoint;
  const base = endpoint ?? 'http://localhost:4318';
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

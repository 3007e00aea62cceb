import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { parseDataKeys, type DataKey } from '../store/data-keys.ts';

/**
 * Every setting the service reads, in one schema. Names follow the vendors'
 * conventions (see DESIGN.md) so their libraries and habits work unchanged.
 * `.env.example` and the README's table document the same list.
 */
const DEFAULT_PORT = 3000;
const DEFAULT_DISTRICTS = 'Central,North County,South County,East Valley,West Valley';

const booleanSetting = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production'], { error: 'must be development, test or production' }).default('development'),
  PORT: z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535).default(DEFAULT_PORT),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  PUBLIC_BASE_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://permits.example.org' }).optional()),
  DATABASE_URL: z.string().trim().min(1).default('file:data/permitline.db'),
  DATABASE_AUTH_TOKEN: optionalText,
  ALLOW_FILE_DATABASE: booleanSetting.default(false),
  DATA_KEYS: optionalText,
  DEV_DATA_KEYS_FILE: z.string().trim().min(1).default('data/dev-data-keys'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
  HEALTH_DISTRICTS: z.string().default(DEFAULT_DISTRICTS),
  DEPARTMENT_TIME_ZONE: z.string().trim().default('America/Los_Angeles'),
  TRUST_PROXY: optionalText,
});

export interface Config {
  readonly nodeEnv: 'development' | 'test' | 'production';
  readonly port: number;
  readonly host: string;
  /** The origin callers' browsers and Twilio reach; links and signatures use it. */
  readonly publicBaseUrl: URL;
  readonly database: { readonly url: string; readonly authToken: string | undefined };
  /** Undefined only outside production: main.ts then loads or creates a development key file. */
  readonly dataKeys: readonly DataKey[] | undefined;
  readonly devDataKeysFile: string;
  readonly logLevel: string;
  readonly healthDistricts: readonly string[];
  readonly departmentTimeZone: string;
  readonly trustProxy: string | undefined;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; error: ConfigError };

/** Reads the environment once; reports every problem at the same time, each with what to do. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): ConfigResult {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    return { ok: false, error: new ConfigError(problems) };
  }
  const e = parsed.data;
  const problems: string[] = [];
  const production = e.NODE_ENV === 'production';

  let dataKeys: DataKey[] | undefined;
  if (e.DATA_KEYS !== undefined) {
    const keys = parseDataKeys(e.DATA_KEYS);
    if (keys.ok) dataKeys = keys.keys;
    else problems.push(keys.problem);
  } else if (production) {
    problems.push('DATA_KEYS is required in production: set it to id:base64key entries (see .env.example); development keys are never generated there.');
  }

  if (production && e.PUBLIC_BASE_URL === undefined) {
    problems.push('PUBLIC_BASE_URL is required in production: set it to the https origin Twilio and applicants reach, e.g. https://permits.example.org.');
  }
  if (production && e.PUBLIC_BASE_URL?.startsWith('http:') === true) {
    problems.push('PUBLIC_BASE_URL must use https in production.');
  }
  if (!/^(file:|libsql:|https?:|wss?:|:memory:$)/.test(e.DATABASE_URL)) {
    problems.push('DATABASE_URL must be file:PATH, :memory: or libsql://HOST (Turso).');
  }
  if (production && (e.DATABASE_URL.startsWith('file:') || e.DATABASE_URL === ':memory:') && !e.ALLOW_FILE_DATABASE) {
    problems.push('DATABASE_URL points at a local file in production: use libsql://… (Turso) or set ALLOW_FILE_DATABASE=true if a single-instance file database is really intended.');
  }
  if (production && e.DATABASE_URL.startsWith('libsql:') && e.DATABASE_AUTH_TOKEN === undefined) {
    problems.push('DATABASE_AUTH_TOKEN is required for a libsql:// database in production: create one with `turso db tokens create`.');
  }

  const healthDistricts = e.HEALTH_DISTRICTS.split(',').map((d) => d.trim()).filter((d) => d !== '');
  if (healthDistricts.length === 0) problems.push('HEALTH_DISTRICTS must list at least one district, separated by commas.');
  if (new Set(healthDistricts.map((d) => d.toLowerCase())).size !== healthDistricts.length) {
    problems.push('HEALTH_DISTRICTS lists a district twice.');
  }
  if (!isTimeZone(e.DEPARTMENT_TIME_ZONE)) {
    problems.push(`DEPARTMENT_TIME_ZONE "${e.DEPARTMENT_TIME_ZONE}" is not an IANA time zone such as America/Los_Angeles.`);
  }

  if (problems.length > 0) return { ok: false, error: new ConfigError(problems) };

  const config: Config = {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicBaseUrl: new URL(e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`),
    database: { url: e.DATABASE_URL, authToken: e.DATABASE_AUTH_TOKEN },
    dataKeys,
    devDataKeysFile: e.DEV_DATA_KEYS_FILE,
    logLevel: e.LOG_LEVEL,
    healthDistricts,
    departmentTimeZone: e.DEPARTMENT_TIME_ZONE,
    trustProxy: e.TRUST_PROXY,
  };
  return { ok: true, config: Object.freeze(config) };
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

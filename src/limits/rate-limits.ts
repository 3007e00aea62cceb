import { createHmac, type KeyObject } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { DataKey } from '../keys/data-keys.ts';
import { SubkeyRing } from '../keys/subkeys.ts';

/**
 * Rate limits over rate-limiter-flexible: counted in this process by default,
 * in Redis when REDIS_URL is set, so every instance shares one count. A key
 * (an address, a phone number) never reaches the store in clear: it is
 * replaced by a keyed hash first.
 *
 * When Redis cannot be reached, each limit falls back to the library's
 * insurance limiter: the same limit, counted in this process. That is chosen
 * over the two alternatives: failing open would lift every limit exactly
 * when the shared store is attacked or down, and failing closed would turn
 * away every applicant and caller because of a cache. Counted per instance,
 * the limits stay in force (loosened at most to instances × limit) and
 * nobody is refused for our outage; a warning is logged when it happens.
 */

/** At most `points` uses of one key in each window of `perSeconds` (a fixed window); 0 points lifts the limit. */
export interface LimitRule {
  readonly points: number;
  readonly perSeconds: number;
}

export type LimitDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; /** whole seconds until the window ends */ readonly retryAfterSeconds: number };

export interface Limiter {
  /** Counts one use by `key` and says whether it is within the limit. */
  take(key: string): Promise<LimitDecision>;
}

const KEY_PREFIX = 'permitline:limit';
const HASH_PURPOSE = 'permitline rate-limit keys v1';
// A limit check is on a person's request: a Redis that stalls must not hold it up. Past this the insurance decides.
const REDIS_COMMAND_TIMEOUT_MS = 500;
const REDIS_CONNECT_TIMEOUT_MS = 2_000;
const ALLOWED: LimitDecision = { allowed: true };

export interface RateLimitsOptions {
  /** Shared counts across instances; undefined counts in this process only. */
  readonly redisUrl: string | undefined;
  /** Keys are hashed under a subkey of the first data key, the same on every instance. */
  readonly dataKeys: readonly DataKey[];
  readonly logger: Logger;
}

/** The store every limit counts in, and the keyed hash of their keys. One per process. */
export class RateLimits {
  readonly #redis: Redis | undefined;
  readonly #hashKey: KeyObject;

  /** Opened, and with Redis, connected or known to be unreachable (then counting per instance until it is back). */
  static async open(options: RateLimitsOptions): Promise<RateLimits> {
    const limits = new RateLimits(options);
    await limits.#firstConnection();
    return limits;
  }

  constructor(options: RateLimitsOptions) {
    this.#hashKey = new SubkeyRing(options.dataKeys, HASH_PURPOSE, 'RateLimits').current.key;
    this.#redis = options.redisUrl === undefined ? undefined : connect(options.redisUrl, options.logger);
  }

  /** Until Redis is ready, limits count in memory: a start waits for the first outcome, so the first requests share. */
  async #firstConnection(): Promise<void> {
    const redis = this.#redis;
    if (redis === undefined || redis.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const settle = () => {
        redis.off('ready', settle);
        redis.off('error', settle);
        resolve();
      };
      redis.once('ready', settle);
      redis.once('error', settle);
    });
  }

  /** Counts shared by every instance (Redis), or only this process's. */
  get shared(): boolean {
    return this.#redis !== undefined;
  }

  /** A limit named `name` (its own counts); with 0 points, a limiter that allows everything. */
  limiter(name: string, rule: LimitRule): Limiter {
    if (rule.points <= 0) return { take: () => Promise.resolve(ALLOWED) };
    const options = { keyPrefix: `${KEY_PREFIX}:${name}`, points: rule.points, duration: rule.perSeconds };
    const limiter: RateLimiterAbstract =
      this.#redis === undefined
        ? new RateLimiterMemory(options)
        : new RateLimiterRedis({
            ...options,
            storeClient: this.#redis,
            // Not connected: decide in memory at once rather than queue the command until Redis is back.
            rejectIfRedisNotReady: true,
            insuranceLimiter: new RateLimiterMemory(options),
          });
    return { take: (key) => take(limiter, this.#hash(key)) };
  }

  async close(): Promise<void> {
    if (this.#redis === undefined) return;
    await this.#redis.quit().catch(() => this.#redis?.disconnect());
  }

  #hash(key: string): string {
    return createHmac('sha256', this.#hashKey).update(key, 'utf8').digest('base64url');
  }
}

async function take(limiter: RateLimiterAbstract, key: string): Promise<LimitDecision> {
  try {
    await limiter.consume(key);
    return ALLOWED;
  } catch (rejection) {
    // The library rejects with its result when over the limit, and with an Error only when the store failed.
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
  }
}

function connect(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
  });
  // ioredis retries by itself and emits 'error' on each failed attempt: say once that the limits went local, and when they are shared again.
  let reachable = true;
  redis.on('error', (error: unknown) => {
    if (!reachable) return;
    reachable = false;
    logger.warn(
      { err: error },
      'Redis for the rate limits is unreachable: each limit is counted per instance until it is back',
    );
  });
  redis.on('ready', () => {
    if (reachable) return;
    reachable = true;
    logger.info('Redis for the rate limits is reachable again: limits are shared across instances');
  });
  return redis;
}

import type Bottleneck from 'bottleneck';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smsRateLimiter } from '../../src/sms/sms-rate-limiter.ts';
import { hasRedis, reportMissingRedis, startRedisServer, type RedisServer } from '../support/redis.ts';
import { testConfig } from '../support/service.ts';

/**
 * The SMS rate limit is one limit for every instance when REDIS_URL is set:
 * two limiters (two instances) over one real Redis server together keep to
 * the configured rate; without Redis each keeps its own.
 */

reportMissingRedis('the shared SMS rate limit test');

const RATE_PER_SECOND = 20;
const MIN_GAP_MS = 1000 / RATE_PER_SECOND;
// Timer granularity and Redis's clock against ours: a job may start a few milliseconds early by our clock.
const TOLERANCE_MS = 5;
const JOBS_PER_INSTANCE = 8;

/**
 * Runs the same number of jobs through each limiter at once; returns how long after scheduling the last one
 * started. Measured from the scheduling, not between starts: under load a job can start late and bunch up with
 * the next, but none can start before its slot, so N jobs at the limit take at least (N - 1) slots.
 */
async function lastStartMs(limiters: readonly Bottleneck[]): Promise<number> {
  const scheduledAt = performance.now();
  let last = scheduledAt;
  await Promise.all(
    limiters.flatMap((limiter) =>
      Array.from({ length: JOBS_PER_INSTANCE }, () =>
        limiter.schedule(() => {
          last = Math.max(last, performance.now());
          return Promise.resolve();
        }),
      ),
    ),
  );
  return last - scheduledAt;
}

const JOBS = 2 * JOBS_PER_INSTANCE;
const AT_THE_SHARED_RATE_MS = (JOBS - 1) * MIN_GAP_MS;

describe.skipIf(!hasRedis)('the SMS rate limit shared through Redis', () => {
  let redis: RedisServer;
  let redisUrl: string;

  beforeAll(async () => {
    redis = await startRedisServer();
    redisUrl = redis.url;
  });

  afterAll(async () => {
    await redis.stop();
  });

  it('when two instances send at once through one Redis, then together they keep to the configured rate', async () => {
    const config = testConfig({ REDIS_URL: redisUrl, SMS_RATE_PER_SECOND: String(RATE_PER_SECOND) });
    const limiters = [
      await smsRateLimiter(config, pino({ level: 'silent' })),
      await smsRateLimiter(config, pino({ level: 'silent' })),
    ];
    try {
      expect(await lastStartMs(limiters)).toBeGreaterThanOrEqual(AT_THE_SHARED_RATE_MS - TOLERANCE_MS);
    } finally {
      await Promise.all(limiters.map((l) => l.disconnect()));
    }
  });

  it('when there is no Redis, then each instance keeps only its own rate (the control: the shared test can fail)', async () => {
    const config = testConfig({ SMS_RATE_PER_SECOND: String(RATE_PER_SECOND) });
    const limiters = [
      await smsRateLimiter(config, pino({ level: 'silent' })),
      await smsRateLimiter(config, pino({ level: 'silent' })),
    ];
    // Each limiter keeps its own slots, so the two halves run side by side in about half the time.
    expect(await lastStartMs(limiters)).toBeLessThan(AT_THE_SHARED_RATE_MS - TOLERANCE_MS);
  });
});

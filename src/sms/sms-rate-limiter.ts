import Bottleneck from 'bottleneck';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';

/**
 * One limit for every instance when REDIS_URL is set (bottleneck keeps its
 * state in Redis); otherwise per process. Rate 0 lifts the limit.
 */
export async function smsRateLimiter(config: Config, logger: Logger): Promise<Bottleneck> {
  const minTime = config.sms.ratePerSecond > 0 ? Math.ceil(1000 / config.sms.ratePerSecond) : 0;
  if (config.redisUrl === undefined) return new Bottleneck({ minTime });
  const redis = new Redis(config.redisUrl);
  // ioredis reconnects by itself; without a listener each failed attempt would be an unhandled 'error' event.
  redis.on('error', (error: unknown) => {
    logger.warn({ err: error }, 'Redis for the SMS rate limit is unreachable; retrying');
  });
  const limiter = new Bottleneck({
    id: 'permitline-sms',
    minTime,
    datastore: 'ioredis',
    clearDatastore: false,
    connection: new Bottleneck.IORedisConnection({ client: redis }),
  });
  limiter.on('error', (error: unknown) => {
    logger.error({ err: error }, 'SMS rate limiter (Redis) error');
  });
  await limiter.ready();
  return limiter;
}

import { hasRedisServer, REDIS_PACKAGE, REDIS_SERVER } from '../../src/sim/redis-server.ts';

/**
 * A real redis-server on a free loopback port, for the limits shared across
 * instances (started by src/sim/redis-server.ts, which npm run cluster uses
 * too). Without /usr/bin/redis-server those suites are skipped, and say how
 * to install it.
 */

export { startRedisServer, type RedisServer } from '../../src/sim/redis-server.ts';
export { REDIS_SERVER };
export const hasRedis = hasRedisServer();

/** Writes why `what` is skipped when there is no redis-server (a skipped suite must say why). */
export function reportMissingRedis(what: string): void {
  if (!hasRedis)
    process.stderr.write(
      `redis-server not found at ${REDIS_SERVER}: ${what} is skipped. Install it with: apt-get install -y ${REDIS_PACKAGE}\n`,
    );
}

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { freePort } from '../../src/sim/free-port.ts';
import { eventually } from './wait.ts';

/**
 * A real redis-server on a free loopback port, for the limits shared across
 * instances. Without /usr/bin/redis-server those suites are skipped, and say
 * how to install it.
 */

export const REDIS_SERVER = '/usr/bin/redis-server';
export const hasRedis = existsSync(REDIS_SERVER);

/** Writes why `what` is skipped when there is no redis-server (a skipped suite must say why). */
export function reportMissingRedis(what: string): void {
  if (!hasRedis)
    process.stderr.write(
      `redis-server not found at ${REDIS_SERVER}: ${what} is skipped. Install it with: apt-get install -y redis-server\n`,
    );
}

export interface RedisServer {
  readonly url: string;
  /** Stops this server (by its pid) and waits until it has exited. */
  stop(): Promise<void>;
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const server: ChildProcess = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: 0 });
  probe.on('error', () => {
    /* refused until the server is up: that is what the loop waits for */
  });
  await eventually(async () => (await probe.ping().catch(() => 'down')) === 'PONG', 'redis-server answers');
  probe.disconnect();
  return {
    url,
    async stop() {
      if (server.exitCode !== null || server.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => {
        server.once('exit', () => {
          resolve();
        });
      });
      server.kill();
      await exited;
    },
  };
}

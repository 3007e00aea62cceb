import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from './free-port.ts';

/**
 * A real redis-server on a free loopback port, with nothing kept on disk:
 * what the limits shared across instances talk to in tests and in a local
 * cluster (npm run cluster). Redis is Debian's package, not ours, so it is
 * run, never faked.
 */

export const REDIS_SERVER = '/usr/bin/redis-server';
export const REDIS_PACKAGE = 'redis-server';

export const hasRedisServer = (): boolean => existsSync(REDIS_SERVER);

export interface RedisServer {
  readonly url: string;
  readonly pid: number;
  /** Stops this server (by its pid) and waits until it has exited. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;
const PROBE_INTERVAL_MS = 50;

export async function startRedisServer(): Promise<RedisServer> {
  if (!hasRedisServer())
    throw new Error(`redis-server not found at ${REDIS_SERVER}: install it with apt-get install -y ${REDIS_PACKAGE}`);
  const port = await freePort();
  const server: ChildProcess = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => {
    server.once('exit', () => {
      resolve();
    });
  });
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => PROBE_INTERVAL_MS, maxRetriesPerRequest: 0 });
  probe.on('error', () => {
    /* refused until the server is up: that is what the loop waits for */
  });
  const stop = async (): Promise<void> => {
    if (server.exitCode === null && server.signalCode === null) server.kill();
    await exited;
  };
  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while ((await probe.ping().catch(() => 'down')) !== 'PONG') {
      if (server.exitCode !== null) throw new Error(`redis-server exited at start (code ${server.exitCode})`);
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port} within 10 s`);
      await sleep(PROBE_INTERVAL_MS);
    }
  } catch (error) {
    probe.disconnect();
    await stop();
    throw error;
  }
  probe.disconnect();
  if (server.pid === undefined) throw new Error('redis-server did not start');
  return { url, pid: server.pid, stop };
}

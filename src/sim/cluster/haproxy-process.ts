import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startChildProcess, type ChildProcessHandle } from './child-process.ts';
import { renderHaproxyConfig, type HaproxySettings } from './haproxy-config.ts';

/* eslint-disable security/detect-non-literal-fs-filename -- the config goes into the cluster's own temporary directory */

/** HAProxy from Debian's package, run in the foreground as the cluster's child. */

export const HAPROXY = '/usr/sbin/haproxy';
export const HAPROXY_PACKAGE = 'haproxy';

export const hasHaproxy = (): boolean => existsSync(HAPROXY);

const START_TIMEOUT_MS = 10_000;
const POLL_MS = 100;

export interface Haproxy {
  readonly url: string;
  readonly process: ChildProcessHandle;
}

export async function startHaproxy(settings: HaproxySettings, dir: string): Promise<Haproxy> {
  if (!hasHaproxy())
    throw new Error(`HAProxy not found at ${HAPROXY}: install it with apt-get install -y ${HAPROXY_PACKAGE}`);
  const configFile = join(dir, 'haproxy.cfg');
  await writeFile(configFile, renderHaproxyConfig(settings));
  // -db: stay in the foreground, so it is our child and stops with our signal to its pid.
  const proc = startChildProcess({
    name: 'haproxy',
    command: HAPROXY,
    args: ['-db', '-f', configFile],
    env: { PATH: process.env.PATH ?? '' },
    cwd: dir,
    logFile: join(dir, 'haproxy.log'),
  });
  const url = `http://127.0.0.1:${settings.publicPort}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (!proc.running()) {
      await proc.exited;
      const said = (await readFile(proc.logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-3).join('\n');
      throw new Error(`HAProxy exited at start (is port ${settings.publicPort} taken?); it said:\n${said}`);
    }
    // Any answer at all (even a 503 before the first health checks pass) means it listens.
    const answered = await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(1_000) }).then(
      () => true,
      () => false,
    );
    if (answered) return { url, process: proc };
    if (Date.now() > deadline) {
      await proc.stop(0);
      throw new Error(`HAProxy did not listen on port ${settings.publicPort} within 10 s; see ${proc.logFile}`);
    }
    await sleep(POLL_MS);
  }
}

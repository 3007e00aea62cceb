import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../free-port.ts';
import { startChildProcess } from './child-process.ts';

/* eslint-disable security/detect-non-literal-fs-filename -- the stand-in's log, in the cluster's own directory */

/**
 * The one database every instance of the local cluster shares, served over
 * the network as Turso serves it in production: the libSQL remote stand-in
 * (src/sim/libsql-stand-in.ts) in a process of its own, so its engine work
 * neither slows the cluster's other parts nor hides in their CPU figures,
 * with an auth token as Turso requires.
 */

const STAND_IN = fileURLToPath(new URL('../libsql-stand-in.ts', import.meta.url));
const START_TIMEOUT_MS = 15_000;
const POLL_MS = 100;
const STOP_GRACE_MS = 5_000;

export interface ClusterDatabase {
  /** DATABASE_URL for every instance (and for a test that reads the rows). */
  readonly url: string;
  /** DATABASE_AUTH_TOKEN. */
  readonly authToken: string;
  readonly pid: number;
  close(): Promise<void>;
}

export async function startClusterDatabase(dir: string): Promise<ClusterDatabase> {
  const port = await freePort();
  const authToken = randomBytes(24).toString('base64url');
  const proc = startChildProcess({
    name: 'libsql-stand-in',
    command: process.execPath,
    args: [STAND_IN, '--file', join(dir, 'permitline.db'), '--port', String(port), '--auth-token', authToken],
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn' },
    cwd: dir,
    logFile: join(dir, 'libsql-stand-in.log'),
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const said = await readFile(proc.logFile, 'utf8').catch(() => '');
    const url = /^DATABASE_URL=(\S+)$/m.exec(said)?.[1];
    if (url !== undefined)
      return {
        url,
        authToken,
        pid: proc.pid,
        async close() {
          await proc.stop(STOP_GRACE_MS);
        },
      };
    if (!proc.running() || Date.now() > deadline) {
      await proc.stop(0);
      throw new Error(`the libSQL stand-in did not start; it said:\n${said.trim()}`);
    }
    await sleep(POLL_MS);
  }
}

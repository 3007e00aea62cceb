import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { TEST_KEY_A } from './keys.ts';
import { testDatabaseUrl } from './service.ts';
import { waitUntil } from './wait.ts';

/** The real entry point, as `npm start` runs it. */
const MAIN = join(import.meta.dirname, '../../src/main.ts');
const PROJECT = join(import.meta.dirname, '../..');

export interface ServiceProcess {
  readonly proc: ChildProcess;
  /** Where it listens, from its listening line. */
  readonly url: string;
  /** Its exit code, and when it exited (Date.now()). */
  readonly exited: Promise<{ code: number | null; atMs: number }>;
  /** Everything it printed so far. */
  output(): string;
}

/**
 * Starts src/main.ts in a child process on a free loopback port, over a database in `dir`, with TEST_KEY_A and
 * no SMS worker; `env` adds to or overrides that. Resolves once it prints its listening line (and kills it if it
 * never does).
 */
export async function startServiceProcess(
  dir: string,
  env: Record<string, string>,
  /** Node options before the entry point, e.g. a preload (`--import URL`). */
  nodeArgs: readonly string[] = [],
  /** node: src/main.ts directly; npm-start: `npm start` in the project, so `proc` is the npm process, as a platform sees it. */
  launcher: 'node' | 'npm-start' = 'node',
): Promise<ServiceProcess> {
  let output = '';
  const [command, args] =
    launcher === 'node' ? [process.execPath, [...nodeArgs, MAIN]] : ['npm', ['start', '--silent']];
  const proc = spawn(command, args, {
    cwd: PROJECT,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: testDatabaseUrl(join(dir, 'permitline.db')),
      DATA_KEYS: TEST_KEY_A,
      SMS_WORKER: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A group of its own, so a test can stop npm and the service under it together (kill(-pid)).
    detached: launcher === 'npm-start',
  });
  proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; atMs: number }>((resolve) =>
    proc.on('exit', (code) => {
      resolve({ code, atMs: Date.now() });
    }),
  );
  try {
    await waitUntil(() => output.includes('PermitLine is listening'), 'the service prints its listening line', 15_000);
  } catch (error) {
    proc.kill('SIGKILL'); // the caller never gets it to stop
    throw new Error(`${(error as Error).message}; it printed:\n${output}`, { cause: error });
  }
  const url = /"url":"(http:\/\/[^"]+)"/.exec(output)?.[1] ?? '';
  return { proc, url, exited, output: () => output };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_KEY_A } from './keys.ts';
import { testDatabaseUrl } from './service.ts';
import { waitUntil } from './wait.ts';

/** The real entry point, as `npm start` runs it. */
const MAIN = join(import.meta.dirname, '../../src/main.ts');
const PROJECT = join(import.meta.dirname, '../..');

/**
 * The project as npm sees it, in `dir`/project: its package.json, with src and node_modules linked (Node follows
 * the links, so every import resolves in the real project). npm runs a script in the package's own folder and the
 * scripts read `.env` from there, so a test running `npm start` in the real project would pick up a developer's
 * own .env; here there is none, or the one a test writes (`dotEnv`). Returns the folder.
 */
export function projectCopy(dir: string, dotEnv?: string): string {
  const project = join(dir, 'project');
  mkdirSync(project, { recursive: true });
  copyFileSync(join(PROJECT, 'package.json'), join(project, 'package.json'));
  for (const linked of ['src', 'node_modules']) symlinkSync(join(PROJECT, linked), join(project, linked));
  if (dotEnv !== undefined) writeFileSync(join(project, '.env'), dotEnv);
  return project;
}

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
  /** node: src/main.ts directly; npm-start: `npm start` in a copy of the project without .env (projectCopy), so `proc` is the npm process, as a platform sees it. */
  launcher: 'node' | 'npm-start' = 'node',
): Promise<ServiceProcess> {
  let output = '';
  const [command, args] =
    launcher === 'node' ? [process.execPath, [...nodeArgs, MAIN]] : ['npm', ['start', '--silent']];
  const proc = spawn(command, args, {
    cwd: launcher === 'node' ? PROJECT : projectCopy(dir),
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

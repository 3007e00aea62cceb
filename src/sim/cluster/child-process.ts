import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/* eslint-disable security/detect-non-literal-fs-filename -- log files in the cluster's own temporary directory */

/**
 * One process the local cluster started: its output goes to a log file, and
 * it is stopped by its own pid (never by name), with SIGKILL after a grace
 * period so a stuck child cannot hold the cluster's stop up.
 */

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ChildProcessHandle {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  readonly exited: Promise<ChildExit>;
  /** True until the process has exited. */
  running(): boolean;
  /** Sends `signal` to this pid only, if it is still running. */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited and its log is flushed. */
  stop(graceMs: number): Promise<ChildExit>;
}

export interface ChildProcessOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly logFile: string;
}

export function startChildProcess(options: ChildProcessOptions): ChildProcessHandle {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env: { ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  let exitedYet = false;
  const exited = (async (): Promise<ChildExit> => {
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    exitedYet = true;
    await new Promise<void>((resolve) => {
      log.end(resolve);
    });
    return { code, signal };
  })();
  const { pid } = child;
  if (pid === undefined) throw new Error(`${options.name} (${options.command}) did not start`);
  const signal = (name: NodeJS.Signals): void => {
    if (!exitedYet) process.kill(pid, name);
  };
  return {
    name: options.name,
    pid,
    logFile: options.logFile,
    exited,
    running: () => !exitedYet,
    signal,
    async stop(graceMs) {
      signal('SIGTERM');
      const timedOut = await Promise.race([exited.then(() => false), sleep(graceMs, true)]);
      if (timedOut) signal('SIGKILL');
      return exited;
    },
  };
}

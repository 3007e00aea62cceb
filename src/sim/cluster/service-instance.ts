import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startChildProcess, type ChildExit, type ChildProcessHandle } from './child-process.ts';

/**
 * One PermitLine instance of the local cluster: `node src/main.ts`, the
 * production entry point, on its own port. It can be stopped (SIGTERM: it
 * drains), killed (SIGKILL: a crash) and started again on the same port, so
 * the load balancer's server entry for it stays the same.
 */

const READY_POLL_MS = 100;
const READY_TIMEOUT_MS = 60_000;

export interface ServiceInstanceOptions {
  /** The name the load balancer gives it (instance-1, …). */
  readonly name: string;
  readonly port: number;
  readonly env: Readonly<Record<string, string>>;
  /** The project root: src/main.ts is run from there. */
  readonly cwd: string;
  readonly logDir: string;
}

export interface ServiceInstance {
  readonly name: string;
  readonly port: number;
  /** Its own address, past the load balancer. */
  readonly url: string;
  /** The pid of the process running now (it changes on restart). */
  readonly pid: number;
  readonly logFile: string;
  /** True while the current process runs. */
  running(): boolean;
  /** Resolves when the current process exits. */
  exited(): Promise<ChildExit>;
  /** SIGTERM: readiness off, live calls may finish (up to its DRAIN_TIMEOUT_MS), then it exits. */
  terminate(): void;
  /** SIGKILL: as a crash or an out-of-memory kill leaves it. */
  kill(): void;
  /** Starts a new process on the same port (after the last one exited) and waits until it is ready. */
  restart(): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs: number): Promise<void>;
}

export async function startServiceInstance(options: ServiceInstanceOptions): Promise<ServiceInstance> {
  const url = `http://127.0.0.1:${options.port}`;
  const logFile = join(options.logDir, `${options.name}.log`);
  let child: ChildProcessHandle = await launch();

  async function launch(): Promise<ChildProcessHandle> {
    const started = startChildProcess({
      name: options.name,
      // process.execPath: the project's pinned Node, which npm put first on PATH.
      command: process.execPath,
      args: ['src/main.ts'],
      env: { ...options.env, PORT: String(options.port), HOST: '127.0.0.1' },
      cwd: options.cwd,
      logFile,
    });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (!started.running()) {
        const exit = await started.exited;
        throw new Error(
          `${options.name} exited during start-up (${exit.code ?? exit.signal ?? '?'}); see its log, ${logFile}`,
        );
      }
      if (await isReady(url)) return started;
      if (Date.now() > deadline) {
        await started.stop(0);
        throw new Error(`${options.name} was not ready within ${READY_TIMEOUT_MS / 1000} s; see its log, ${logFile}`);
      }
      await sleep(READY_POLL_MS);
    }
  }

  return {
    name: options.name,
    port: options.port,
    url,
    get pid() {
      return child.pid;
    },
    logFile,
    running: () => child.running(),
    exited: () => child.exited,
    terminate: () => {
      child.signal('SIGTERM');
    },
    kill: () => {
      child.signal('SIGKILL');
    },
    async restart() {
      if (child.running()) throw new Error(`${options.name} is still running: stop it before restarting it`);
      child = await launch();
    },
    async stop(graceMs) {
      await child.stop(graceMs);
    },
  };
}

export async function isReady(url: string): Promise<boolean> {
  return fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then(
    (response) => response.ok,
    () => false,
  );
}

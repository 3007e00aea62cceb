import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/* eslint-disable security/detect-non-literal-fs-filename -- the paths are the bench's own log file and /proc entries of the pid it spawned */

/**
 * The service under test, run as its own process (`node src/main.ts`, the
 * production entry point) so that its CPU time and memory can be read from
 * /proc apart from the bench's. Its output goes to a log file.
 */

const READY_TIMEOUT_MS = 30_000;
const READY_POLL_MS = 100;
const STOP_GRACE_MS = 10_000;
/** /proc/PID/stat counts CPU time in USER_HZ ticks, which Linux fixes at 100 per second for user space. */
const USER_HZ = 100;
const KIB = 1024;
// /proc/PID/stat fields after the ")" that ends the command name: state is field 3, utime 14, stime 15 (1-based).
const UTIME_AFTER_COMM = 11;
const STIME_AFTER_COMM = 12;

export interface ServiceSample {
  /** process.hrtime.bigint() when read. */
  readonly atNs: bigint;
  /** User + system CPU seconds of the whole process (all threads) since it started. */
  readonly cpuSeconds: number;
  readonly rssBytes: number;
}

export interface ServiceProcess {
  readonly pid: number;
  readonly url: string;
  /** Non-null once the process has exited. */
  readonly exitCode: () => number | string | null;
  sample(): Promise<ServiceSample>;
  /** SIGTERM (the service drains), SIGKILL after a grace period. */
  stop(): Promise<void>;
}

export interface ServiceProcessOptions {
  readonly cwd: string;
  readonly port: number;
  readonly env: Readonly<Record<string, string>>;
  readonly logFile: string;
  /** Extra node flags before the entry point (e.g. --cpu-prof). */
  readonly nodeArgs?: readonly string[];
  /** What runs: the service (src/main.ts) unless given, e.g. the reference passthrough with its arguments. */
  readonly entry?: readonly string[];
}

export async function startServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  const log = createWriteStream(options.logFile);
  // process.execPath: the project's pinned Node (npm puts node_modules/.bin first on PATH for `npm run bench`).
  const child: ChildProcess = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), ...(options.entry ?? ['src/main.ts'])],
    {
      cwd: options.cwd,
      env: { ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = once(child, 'exit');
  const { pid } = child;
  if (pid === undefined) throw new Error('the service process did not start');
  const url = `http://127.0.0.1:${options.port}`;

  const exitCode = (): number | string | null => child.exitCode ?? child.signalCode;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exitCode() !== null)
      throw new Error(`the service exited during start-up (${String(exitCode())}); see ${options.logFile}`);
    const ready = await fetch(`${url}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the service was not ready within ${READY_TIMEOUT_MS} ms; see ${options.logFile}`);
    }
    await sleep(READY_POLL_MS);
  }

  return {
    pid,
    url,
    exitCode,
    sample: () => sampleProcess(pid),
    async stop() {
      if (exitCode() === null) {
        child.kill('SIGTERM');
        const timedOut = await Promise.race([exited.then(() => false), sleep(STOP_GRACE_MS, true)]);
        if (timedOut) child.kill('SIGKILL');
      }
      await exited;
      log.end();
    },
  };
}

export async function sampleProcess(pid: number): Promise<ServiceSample> {
  const atNs = process.hrtime.bigint();
  const [stat, status] = await Promise.all([
    readFile(`/proc/${pid}/stat`, 'utf8'),
    readFile(`/proc/${pid}/status`, 'utf8'),
  ]);
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[UTIME_AFTER_COMM]) + Number(fields[STIME_AFTER_COMM]);
  const rssKib = Number(/^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1]);
  if (!Number.isFinite(ticks) || !Number.isFinite(rssKib)) throw new Error(`cannot read /proc/${pid}`);
  return { atNs, cpuSeconds: ticks / USER_HZ, rssBytes: rssKib * KIB };
}

/** CPU seconds the whole machine spent busy (all cores, every process, interrupts, steal) since boot, from /proc/stat. */
export async function machineBusySeconds(): Promise<number> {
  const stat = await readFile('/proc/stat', 'utf8');
  const cpu = /^cpu\s+(.*)$/m.exec(stat)?.[1]?.trim().split(/\s+/).map(Number);
  if (cpu === undefined) throw new Error('cannot read /proc/stat');
  // user nice system idle iowait irq softirq steal …: everything but idle and iowait is busy.
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
  return (user + nice + system + irq + softirq + steal) / USER_HZ;
}

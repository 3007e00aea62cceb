import { machineBusySeconds, type ServiceProcess, type ServiceSample } from './service-process.ts';

/**
 * CPU and memory over the steady window, when every call is streaming: the
 * service's from /proc, the bench's from process.cpuUsage, and the whole
 * machine's from /proc/stat (what is left over is other work competing for
 * the same cores).
 */

export interface SteadyUsage {
  readonly wallSeconds: number;
  readonly serviceCpuSeconds: number;
  readonly benchCpuSeconds: number;
  /** Busy CPU seconds of everything else on the machine. */
  readonly otherCpuSeconds: number;
  readonly serviceRssBytes: number;
}

interface Mark {
  readonly service: ServiceSample;
  readonly bench: NodeJS.CpuUsage;
  readonly machineSeconds: number;
}

const US_PER_S = 1e6;
const NS_PER_S = 1e9;

export class SteadyWindow {
  readonly #service: ServiceProcess;
  readonly #timers: NodeJS.Timeout[] = [];
  #from: Promise<Mark> | undefined;
  #to: Promise<Mark> | undefined;

  constructor(service: ServiceProcess) {
    this.#service = service;
  }

  /** Takes the first reading in `startInMs` and the last in `endInMs` (from now). */
  schedule(startInMs: number, endInMs: number): void {
    this.#timers.push(
      setTimeout(
        () => {
          this.#from = this.#mark();
        },
        Math.max(0, startInMs),
      ),
      setTimeout(
        () => {
          this.#to = this.#mark();
        },
        Math.max(0, endInMs),
      ),
    );
  }

  cancel(): void {
    for (const timer of this.#timers) clearTimeout(timer);
  }

  async usage(): Promise<SteadyUsage> {
    if (this.#from === undefined || this.#to === undefined)
      throw new Error('the steady window was not sampled (the run ended early)');
    const [from, to] = await Promise.all([this.#from, this.#to]);
    const wallSeconds = Number(to.service.atNs - from.service.atNs) / NS_PER_S;
    const serviceCpuSeconds = to.service.cpuSeconds - from.service.cpuSeconds;
    const benchCpuSeconds = (to.bench.user - from.bench.user + to.bench.system - from.bench.system) / US_PER_S;
    return {
      wallSeconds,
      serviceCpuSeconds,
      benchCpuSeconds,
      otherCpuSeconds: Math.max(0, to.machineSeconds - from.machineSeconds - serviceCpuSeconds - benchCpuSeconds),
      serviceRssBytes: to.service.rssBytes,
    };
  }

  async #mark(): Promise<Mark> {
    const bench = process.cpuUsage();
    const [service, machineSeconds] = await Promise.all([this.#service.sample(), machineBusySeconds()]);
    return { service, bench, machineSeconds };
  }
}

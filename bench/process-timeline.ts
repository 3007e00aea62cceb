import { monitorEventLoopDelay } from 'node:perf_hooks';
import { machineBusySeconds, sampleProcess, type ServiceSample } from './service-process.ts';

/**
 * Once a second: how busy the service and the bench were, and how late the
 * bench's own event loop ran. Read beside the latency timeline it tells a
 * service that fell behind from a harness that did.
 */

export interface SecondOfLoad {
  /** Service CPU (all threads) over the second, % of one core. */
  readonly serviceCpu: number;
  /** Bench CPU over the second, % of one core. */
  readonly benchCpu: number;
  /** Everything else the machine ran in the second (other processes, interrupts), % of one core. */
  readonly otherCpu: number;
  /** The bench event loop's worst lateness in the second, beyond the sampler's interval. */
  readonly benchLagMaxMs: number;
}

interface Reading {
  readonly service: ServiceSample;
  readonly bench: NodeJS.CpuUsage;
  readonly machineSeconds: number;
}

const SECOND_MS = 1000;
const SAMPLER_RESOLUTION_MS = 10;
const NS_PER_MS = 1e6;
const US_PER_S = 1e6;
const PERCENT = 100;

export class ProcessTimeline {
  readonly #sample: () => Promise<ServiceSample>;
  readonly #seconds: SecondOfLoad[] = [];
  readonly #loop = monitorEventLoopDelay({ resolution: SAMPLER_RESOLUTION_MS });
  #timer: NodeJS.Timeout | undefined;
  #first: Reading | undefined;
  #last: Reading | undefined;

  /** `service`: the service's pid, or how to sample a service of several processes (a cluster's instances). */
  constructor(service: number | (() => Promise<ServiceSample>)) {
    this.#sample = typeof service === 'number' ? () => sampleProcess(service) : service;
  }

  get seconds(): readonly SecondOfLoad[] {
    return this.#seconds;
  }

  /** Other work on the machine from start() to the last tick, % of one core: it competed with both processes. */
  get otherCpuOverall(): number {
    return this.#first === undefined || this.#last === undefined ? Number.NaN : load(this.#first, this.#last).otherCpu;
  }

  async start(): Promise<void> {
    this.#last = await this.#read();
    this.#first = this.#last;
    this.#loop.enable();
    this.#timer = setInterval(() => {
      void this.#tick();
    }, SECOND_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#loop.disable();
  }

  async #tick(): Promise<void> {
    const lagMs = Math.max(0, this.#loop.max / NS_PER_MS - SAMPLER_RESOLUTION_MS);
    this.#loop.reset();
    const reading = await this.#read().catch(() => undefined);
    const last = this.#last;
    if (reading === undefined || last === undefined) return;
    this.#seconds.push({ ...load(last, reading), benchLagMaxMs: lagMs });
    this.#last = reading;
  }

  async #read(): Promise<Reading> {
    const bench = process.cpuUsage();
    const [service, machineSeconds] = await Promise.all([this.#sample(), machineBusySeconds()]);
    return { service, bench, machineSeconds };
  }
}

function load(from: Reading, to: Reading): Omit<SecondOfLoad, 'benchLagMaxMs'> {
  const wallS = Number(to.service.atNs - from.service.atNs) / NS_PER_MS / SECOND_MS;
  const serviceS = to.service.cpuSeconds - from.service.cpuSeconds;
  const benchS = (to.bench.user - from.bench.user + to.bench.system - from.bench.system) / US_PER_S;
  const otherS = Math.max(0, to.machineSeconds - from.machineSeconds - serviceS - benchS);
  return {
    serviceCpu: (serviceS / wallS) * PERCENT,
    benchCpu: (benchS / wallS) * PERCENT,
    otherCpu: (otherS / wallS) * PERCENT,
  };
}

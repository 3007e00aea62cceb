import { readFile } from 'node:fs/promises';
import type { LocalCertificate } from '../src/sim/tls-certificate.ts';
import { clusterDataKeys, startCluster, type Cluster } from '../src/sim/cluster/cluster.ts';
import { loadScenario } from '../src/sim/scenario.ts';
import { sampleProcess, type ServiceProcess, type ServiceSample } from './service-process.ts';

/* eslint-disable security/detect-non-literal-fs-filename -- the instances' log files, in the cluster's own directory */

/**
 * `npm run bench -- --cluster N`: the bench's calls go through HAProxy to N
 * instances (src/sim/cluster/cluster.ts) instead of to one service process.
 * The cluster is seen as one service (CPU and memory summed over the
 * instances) so the report's figures compare with a single instance's, and
 * each part's own CPU is reported beside them.
 */

export interface ClusterPart {
  readonly name: string;
  readonly pid: number;
}

export interface ClusterTarget {
  /** The instances together, as the bench sees one service. */
  readonly service: ServiceProcess;
  /** Every process of the cluster, instances first. */
  readonly parts: readonly ClusterPart[];
  /** Every instance's log, one after the other. */
  logText(): Promise<string>;
}

export async function startClusterTarget(options: {
  readonly instances: number;
  readonly balance: 'roundrobin' | 'leastconn';
  readonly certificate: LocalCertificate;
  readonly modelBaseUrl: string;
  readonly authToken: string;
  readonly env: Readonly<Record<string, string>>;
  readonly onProgress: (message: string) => void;
}): Promise<ClusterTarget> {
  const cluster: Cluster = await startCluster({
    instances: options.instances,
    balance: options.balance,
    // Unused: the bench's model stand-in answers instead of the realtime simulator.
    scenario: loadScenario('happy-path'),
    externalModel: { baseUrl: options.modelBaseUrl, caPem: options.certificate.cert, apiKey: 'bench-not-a-key' },
    twilioAuthToken: options.authToken,
    dataKeys: clusterDataKeys(),
    env: options.env,
    onProgress: options.onProgress,
  });
  const instances = cluster.instances;
  const sample = async (): Promise<ServiceSample> => {
    const samples = await Promise.all(instances.map((instance) => sampleProcess(instance.pid)));
    return {
      atNs: samples[0]?.atNs ?? process.hrtime.bigint(),
      cpuSeconds: samples.reduce((sum, s) => sum + s.cpuSeconds, 0),
      rssBytes: samples.reduce((sum, s) => sum + s.rssBytes, 0),
    };
  };
  const service: ServiceProcess = {
    pid: instances[0]?.pid ?? 0,
    url: cluster.url,
    exitCode: () => (instances.every((instance) => instance.running()) ? null : 'an instance exited'),
    sample,
    stop: () => cluster.stop(),
  };
  return {
    service,
    parts: [
      ...instances.map((instance) => ({ name: instance.name, pid: instance.pid })),
      { name: 'haproxy', pid: cluster.haproxyPid },
      { name: 'libsql stand-in', pid: cluster.databasePid },
      { name: 'redis-server', pid: cluster.redisPid },
    ],
    logText: async () =>
      (await Promise.all(instances.map((instance) => readFile(instance.logFile, 'utf8').catch(() => '')))).join(''),
  };
}

/** Each part's CPU over the steady window, % of one core. */
export class PartsWindow {
  readonly #parts: readonly ClusterPart[];
  readonly #timers: NodeJS.Timeout[] = [];
  #from: Promise<ServiceSample[]> | undefined;
  #to: Promise<ServiceSample[]> | undefined;

  constructor(parts: readonly ClusterPart[]) {
    this.#parts = parts;
  }

  schedule(startInMs: number, endInMs: number): void {
    this.#timers.push(
      setTimeout(
        () => {
          this.#from = this.#sample();
        },
        Math.max(0, startInMs),
      ),
      setTimeout(
        () => {
          this.#to = this.#sample();
        },
        Math.max(0, endInMs),
      ),
    );
  }

  cancel(): void {
    for (const timer of this.#timers) clearTimeout(timer);
  }

  async report(): Promise<string> {
    if (this.#from === undefined || this.#to === undefined)
      return 'per-process CPU: the steady window was not sampled\n';
    const [from, to] = await Promise.all([this.#from, this.#to]);
    const lines = this.#parts.map((part, i) => {
      const a = from[i];
      const b = to[i];
      if (a === undefined || b === undefined) return `  ${part.name.padEnd(16)} —`;
      const wallSeconds = Number(b.atNs - a.atNs) / 1e9;
      const cpu = ((b.cpuSeconds - a.cpuSeconds) / wallSeconds) * 100;
      return `  ${part.name.padEnd(16)} pid ${String(part.pid).padEnd(8)} CPU ${cpu.toFixed(1).padStart(6)} % of one core  RSS ${(b.rssBytes / 1024 / 1024).toFixed(0)} MiB`;
    });
    return `per-process CPU over the steady window:\n${lines.join('\n')}\n`;
  }

  #sample(): Promise<ServiceSample[]> {
    return Promise.all(this.#parts.map((part) => sampleProcess(part.pid)));
  }
}

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { freePort } from '../free-port.ts';
import { LOCAL_TWILIO_ACCOUNT_SID } from '../local-stand-ins.ts';
import { startRealtimeSimulator, type RealtimeSimulator } from '../realtime-simulator.ts';
import { startRedisServer, type RedisServer } from '../redis-server.ts';
import type { LoadedScenario } from '../scenario.ts';
import { createLocalCertificate } from '../tls-certificate.ts';
import { startTwilioStandIn, type TwilioStandIn } from '../twilio-stand-in.ts';
import { startClusterDatabase, type ClusterDatabase } from './cluster-database.ts';
import { startHaproxy, type Haproxy } from './haproxy-process.ts';
import { startServiceInstance, type ServiceInstance } from './service-instance.ts';

/* eslint-disable security/detect-non-literal-fs-filename -- the cluster writes only into the temporary directory it made */

/**
 * PermitLine as it runs in production, on one machine: N instances of the
 * real service (child processes) behind HAProxy, sharing one database, one
 * redis-server, and ONE model simulator and Twilio stand-in (the outside
 * services every instance of a deployment shares). What npm run cluster,
 * npm run demo -- --cluster, the cluster tests and the cluster bench start.
 */

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const MODEL_API_KEY = 'cluster-model-key';
const STOP_GRACE_MS = 10_000;

export interface ClusterOptions {
  readonly instances: number;
  /** The scenario the shared realtime simulator plays on every call. */
  readonly scenario: LoadedScenario;
  /** A model endpoint of the caller's own (the bench's stand-in) instead of the realtime simulator. */
  readonly externalModel?: { readonly baseUrl: string; readonly caPem: string; readonly apiKey: string };
  /** The Twilio auth token webhooks are signed with, and the stand-in's. */
  readonly twilioAuthToken: string;
  /** DATA_KEYS for every instance (they must share keys: a stream token from one verifies on another). */
  readonly dataKeys: string;
  /** The public port; default a free one. */
  readonly publicPort?: number;
  /** Extra environment for every instance (short drain or lease settings, limits, LOG_LEVEL, …). */
  readonly env?: Readonly<Record<string, string>>;
  /** Realtime simulator timing (tests use it to speed calls up). */
  readonly audioChunkIntervalMs?: number;
  /** How HAProxy picks an instance (src/sim/cluster/haproxy-config.ts); default roundrobin. */
  readonly balance?: 'roundrobin' | 'leastconn';
  /** Readiness check interval at the balancer. */
  readonly checkIntervalMs?: number;
  /** One line per step while starting (the CLI prints them). */
  readonly onProgress?: (message: string) => void;
  readonly logger?: Logger;
}

export interface Cluster {
  /** The one address callers reach: the load balancer. Also every instance's PUBLIC_BASE_URL. */
  readonly url: string;
  readonly instances: readonly ServiceInstance[];
  readonly databaseUrl: string;
  readonly databaseAuthToken: string;
  /** The database stand-in's process, beside the instances' (the bench reads its CPU too). */
  readonly databasePid: number;
  readonly redisUrl: string;
  readonly redisPid: number;
  /** The shared realtime simulator; undefined with externalModel. */
  readonly model: RealtimeSimulator | undefined;
  readonly twilio: TwilioStandIn;
  readonly haproxyPid: number;
  /** Where every log file is (one per instance, haproxy.log). */
  readonly dir: string;
  /** Stops everything it started, by pid, and removes its directory (unless keepDir). */
  stop(options?: { keepDir?: boolean }): Promise<void>;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  if (!Number.isInteger(options.instances) || options.instances < 1)
    throw new RangeError(`instances must be a whole number from 1, not ${options.instances}`);
  const progress = options.onProgress ?? (() => undefined);
  const dir = await mkdtemp(join(tmpdir(), 'permitline-cluster-'));
  const started: { stop(): Promise<unknown> }[] = [];
  const instances: ServiceInstance[] = [];
  const stopAll = async () => {
    await Promise.all(instances.map((instance) => instance.stop(STOP_GRACE_MS)));
    for (const thing of started.reverse()) await thing.stop();
  };
  try {
    const database: ClusterDatabase = await startClusterDatabase(dir);
    started.push({ stop: () => database.close() });
    progress(`database: ${database.url} (libSQL remote stand-in, pid ${database.pid})`);
    const redis: RedisServer = await startRedisServer();
    started.push(redis);
    progress(`redis-server: ${redis.url} (pid ${redis.pid})`);

    const publicPort = options.publicPort ?? (await freePort());
    const publicUrl = `http://127.0.0.1:${publicPort}`;
    const caFile = join(dir, 'model-ca.pem');
    let model: RealtimeSimulator | undefined;
    let modelEndpoint = options.externalModel;
    if (modelEndpoint === undefined) {
      const certificate = await createLocalCertificate();
      model = await startRealtimeSimulator({
        scenario: options.scenario,
        apiKey: MODEL_API_KEY,
        certificate,
        ...(options.audioChunkIntervalMs === undefined ? {} : { audioChunkIntervalMs: options.audioChunkIntervalMs }),
        ...(options.logger === undefined ? {} : { logger: options.logger.child({ component: 'realtime-simulator' }) }),
      });
      const simulator = model;
      started.push({ stop: () => simulator.close() });
      modelEndpoint = { baseUrl: model.baseURL, caPem: certificate.cert, apiKey: MODEL_API_KEY };
    }
    await writeFile(caFile, modelEndpoint.caPem);
    const twilio = await startTwilioStandIn({
      accountSid: LOCAL_TWILIO_ACCOUNT_SID,
      authToken: options.twilioAuthToken,
      ...(options.logger === undefined ? {} : { logger: options.logger.child({ component: 'twilio-stand-in' }) }),
    });
    started.push({ stop: () => twilio.close() });
    progress(
      `model: ${modelEndpoint.baseUrl}${model === undefined ? '' : ` (realtime simulator, scenario ${options.scenario.name})`}; Twilio stand-in: ${twilio.baseUrl}`,
    );

    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'development',
      DATABASE_URL: database.url,
      DATABASE_AUTH_TOKEN: database.authToken,
      REDIS_URL: redis.url,
      PUBLIC_BASE_URL: publicUrl,
      // The balancer is on loopback: the client address is the one it forwards.
      TRUST_PROXY: 'loopback',
      DATA_KEYS: options.dataKeys,
      TWILIO_AUTH_TOKEN: options.twilioAuthToken,
      TWILIO_API_BASE_URL: twilio.baseUrl,
      OPENAI_API_KEY: modelEndpoint.apiKey,
      OPENAI_BASE_URL: modelEndpoint.baseUrl,
      NODE_EXTRA_CA_CERTS: caFile,
      // Every instance drains the outbox, so the leases are what keeps a text from going twice.
      SMS_WORKER: 'true',
      LOG_LEVEL: 'info',
      ...options.env,
    };
    const ports = await Promise.all(Array.from({ length: options.instances }, () => freePort()));
    const startInstance = (index: number) =>
      startServiceInstance({
        name: `instance-${index + 1}`,
        port: ports[index] ?? 0,
        env,
        cwd: REPO_ROOT,
        logDir: dir,
      });
    // The first alone: it migrates the fresh database, so the others find its schema current.
    progress(`starting instance-1 of ${options.instances} (migrates the database)…`);
    instances.push(await startInstance(0));
    if (options.instances > 1) {
      progress(`starting instance-2…instance-${options.instances}…`);
      const rest = await Promise.allSettled(
        Array.from({ length: options.instances - 1 }, (_, i) => startInstance(i + 1)),
      );
      for (const result of rest) if (result.status === 'fulfilled') instances.push(result.value);
      const failed = rest.find((result) => result.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    }
    for (const instance of instances) progress(`${instance.name} ready at ${instance.url} (pid ${instance.pid})`);

    const haproxy: Haproxy = await startHaproxy(
      {
        publicPort,
        servers: instances.map((instance) => ({ name: instance.name, port: instance.port })),
        ...(options.checkIntervalMs === undefined ? {} : { checkIntervalMs: options.checkIntervalMs }),
        ...(options.balance === undefined ? {} : { balance: options.balance }),
      },
      dir,
    );
    started.push({ stop: () => haproxy.process.stop(STOP_GRACE_MS) });
    // Ready once the balancer's health checks have let every instance in.
    await waitForEveryInstance(haproxy.url, instances.length);
    progress(`HAProxy (pid ${haproxy.process.pid}) in front at ${haproxy.url}`);

    return {
      url: haproxy.url,
      instances,
      databaseUrl: database.url,
      databaseAuthToken: database.authToken,
      databasePid: database.pid,
      redisUrl: redis.url,
      redisPid: redis.pid,
      model,
      twilio,
      haproxyPid: haproxy.process.pid,
      dir,
      async stop(stopOptions = {}) {
        // The balancer first: nothing new arrives while the instances drain.
        const balancer = started.pop();
        await balancer?.stop();
        await stopAll();
        if (stopOptions.keepDir !== true) await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopAll();
    progress(`start failed; logs kept in ${dir}`);
    throw error;
  }
}

const BALANCER_READY_TIMEOUT_MS = 20_000;

/** Round robin answers from each instance in turn once all are in rotation: a few probes see them all. */
async function waitForEveryInstance(url: string, count: number): Promise<void> {
  const deadline = Date.now() + BALANCER_READY_TIMEOUT_MS;
  const seen = new Set<string>();
  while (seen.size < count) {
    if (Date.now() > deadline)
      throw new Error(`the balancer sent requests to only ${seen.size} of ${count} instances within 20 s`);
    const answer = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
    const instance = answer?.headers.get('x-permitline-instance');
    if (answer?.ok === true && instance !== null && instance !== undefined) seen.add(instance);
    else await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A fresh DATA_KEYS value (one key) for a throw-away cluster. */
export function clusterDataKeys(): string {
  return `cluster:${randomBytes(32).toString('base64')}`;
}

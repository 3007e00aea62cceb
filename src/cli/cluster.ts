import { parseArgs } from 'node:util';
import { DEV_TWILIO_AUTH_TOKEN } from '../config/config.ts';
import { clusterDataKeys, startCluster } from '../sim/cluster/cluster.ts';
import { hasHaproxy, HAPROXY, HAPROXY_PACKAGE } from '../sim/cluster/haproxy-process.ts';
import { hasRedisServer, REDIS_PACKAGE, REDIS_SERVER } from '../sim/redis-server.ts';
import { loadScenario } from '../sim/scenario.ts';

/**
 * npm run cluster -- [--instances 3] [--port 3000] [--scenario happy-path]
 *
 * Several instances of the service behind HAProxy on this machine, sharing
 * one database, one redis-server, one realtime simulator and one Twilio
 * stand-in (src/sim/cluster/cluster.ts). Prints the public URL and each
 * instance's, and stops everything on Ctrl-C or SIGTERM.
 */

const FAST_FACTOR = 4;
const MAX_INSTANCES = 16;
const DEFAULT_PORT = 3000;

const USAGE = `Usage: npm run cluster -- [options]

  --instances <n>    service instances behind the balancer (default 3)
  --port <port>      the balancer's public port (default ${DEFAULT_PORT})
  --scenario <name>  what the shared realtime simulator plays on every call (default happy-path)
  --keep-logs        keep the cluster's directory (logs, database) after stopping
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      instances: { type: 'string', default: '3' },
      port: { type: 'string', default: String(DEFAULT_PORT) },
      scenario: { type: 'string', default: 'happy-path' },
      'keep-logs': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (error) {
  fail(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
}
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const instances = Number(values.instances);
if (!Number.isInteger(instances) || instances < 1 || instances > MAX_INSTANCES)
  fail(`--instances must be a whole number from 1 to ${MAX_INSTANCES}, not ${values.instances}`);
const port = Number(values.port);
if (!Number.isInteger(port) || port < 1 || port > 65_535) fail(`--port must be a port number, not ${values.port}`);
if (!hasHaproxy())
  fail(`HAProxy is not installed (${HAPROXY}). Install it with: apt-get install -y ${HAPROXY_PACKAGE}`);
if (!hasRedisServer())
  fail(`redis-server is not installed (${REDIS_SERVER}). Install it with: apt-get install -y ${REDIS_PACKAGE}`);

const out = (text: string) => process.stdout.write(`${text}\n`);
const scenario = loadScenario(values.scenario);
out(`Starting a cluster of ${instances} instance${instances === 1 ? '' : 's'}…`);
const cluster = await startCluster({
  instances,
  scenario,
  twilioAuthToken: DEV_TWILIO_AUTH_TOKEN,
  dataKeys: clusterDataKeys(),
  publicPort: port,
  // The simulated phone sends faster than real time (npm run call, unless --real-time); Twilio never does.
  env: { MEDIA_MAX_PACE: String(FAST_FACTOR), LOG_LEVEL: 'info' },
  onProgress: (message) => {
    out(`  ${message}`);
  },
}).catch((error: unknown) =>
  fail(
    `The cluster could not start: ${error instanceof Error ? error.message : String(error)}${port === DEFAULT_PORT ? `\nIf port ${DEFAULT_PORT} is taken, pass --port.` : ''}`,
  ),
);

out(`\nPermitLine cluster is up: ${cluster.url}  (HAProxy, round robin over ${instances})`);
for (const instance of cluster.instances)
  out(`  ${instance.name}  ${instance.url}  pid ${instance.pid}  log ${instance.logFile}`);
out(`  database ${cluster.databaseUrl}  (DATABASE_AUTH_TOKEN=${cluster.databaseAuthToken})`);
out(`  redis    ${cluster.redisUrl}`);
out(`  logs     ${cluster.dir}`);
out(
  `\nPlace a call through the balancer:\n  npm run call -- ${scenario.name} --url ${cluster.url} --public-base-url ${cluster.url}`,
);
out('Ctrl-C stops everything.');

let stopping = false;
const shutdown = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  out(`\n${signal}: stopping the balancer, then draining the instances…`);
  cluster.stop({ keepDir: values['keep-logs'] }).then(
    () => {
      out(values['keep-logs'] ? `Stopped. Logs kept in ${cluster.dir}` : 'Stopped.');
      process.exit(0);
    },
    (error: unknown) => {
      fail(`Stopping failed: ${error instanceof Error ? error.message : String(error)}`);
    },
  );
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

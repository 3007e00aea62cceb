import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@libsql/client';
import type { Logger } from 'pino';
import { loadConfig, type Config } from './config/config.ts';
import { resolveDataKeys } from './config/resolve-data-keys.ts';
import { ApplicationService } from './intake/application-service.ts';
import type { HealthState } from './ops/health.ts';
import { createLogger } from './ops/logger.ts';
import { todayIn } from './permits/field-inputs.ts';
import { PermitRules } from './permits/permit-rules.ts';
import { ApplicationRepository } from './store/application-repository.ts';
import { openDatabase } from './store/database.ts';
import type { DataKey } from './store/data-keys.ts';
import { FieldCipher } from './store/field-cipher.ts';
import { isSchemaCurrent, migrate } from './store/migrations.ts';
import { createApp } from './web/app.ts';
import { csrfSecretsFrom } from './web/csrf.ts';

/**
 * The composition root: the one place that reads the environment, builds the
 * adapters and wires them together. Tests call startPermitLine with their own
 * config (port 0, a temp database) and get the same service.
 */

export interface RunningService {
  readonly url: string;
  readonly server: Server;
  readonly db: Client;
  readonly health: HealthState;
  /** Readiness off, stop taking connections, let requests finish, close the database. */
  stop(): Promise<void>;
}

export async function startPermitLine(config: Config, logger: Logger, dataKeys: readonly DataKey[]): Promise<RunningService> {
  const health: HealthState = { started: false, draining: false };
  const db = await openDatabase(config.database);
  const applied = await migrate(db);
  if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');

  const cipher = new FieldCipher(dataKeys);
  const rules = new PermitRules({ healthDistricts: config.healthDistricts, today: () => todayIn(config.departmentTimeZone, new Date()) });
  const applications = new ApplicationService({ repository: new ApplicationRepository(db, cipher), rules, timeZone: config.departmentTimeZone });
  const app = createApp({
    logger,
    applications,
    rules,
    csrfSecrets: csrfSecretsFrom(dataKeys),
    publicBaseUrl: config.publicBaseUrl,
    health,
    trustProxy: config.trustProxy,
    databaseReady: async () => ((await isSchemaCurrent(db)) ? { ok: true } : { ok: false, reason: 'schema not current' }),
  });

  const server = createServer(app);
  server.listen(config.port, config.host);
  await once(server, 'listening');
  health.started = true;
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;

  return {
    url,
    server,
    db,
    health,
    async stop() {
      health.draining = true;
      server.closeIdleConnections();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
      db.close();
    },
  };
}

async function main(): Promise<void> {
  const loaded = loadConfig(process.env);
  if (!loaded.ok) {
    process.stderr.write(`${loaded.error.message}\nSee .env.example and the Configuration table in README.md for every setting.\n`);
    process.exit(1);
  }
  const { config } = loaded;
  const logger = createLogger(config.logLevel);
  const service = await startPermitLine(config, logger, resolveDataKeys(config, logger));
  logger.info({ url: service.url, apply: `${service.url}/apply`, database: config.database.url.startsWith('file:') ? config.database.url : 'remote' }, 'PermitLine is listening');

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting at once');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'draining: readiness is off, finishing open requests');
    service.stop().then(
      () => { logger.info('stopped'); process.exit(0); },
      (error: unknown) => { logger.error({ err: error }, 'stop failed'); process.exit(1); },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    process.stderr.write(`PermitLine could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}

import { loadConfig } from './config/config.ts';
import { resolveDataKeys } from './config/resolve-data-keys.ts';
import { createLogger } from './ops/logger.ts';
import { startPermitLine } from './service/start-permitline.ts';

/**
 * npm start: reads the environment, builds the logger, resolves the data keys,
 * starts the service (src/service/start-permitline.ts) and drains it on
 * SIGTERM or SIGINT. It exports nothing: what tests and tools share lives in
 * the modules it imports.
 */

async function main(): Promise<void> {
  const loaded = loadConfig(process.env);
  if (!loaded.ok) {
    process.stderr.write(
      `${loaded.error.message}\nSee .env.example and the Configuration table in README.md for every setting.\n`,
    );
    process.exit(1);
  }
  const { config } = loaded;
  const logger = createLogger(config.logLevel);
  const service = await startPermitLine(config, logger, resolveDataKeys(config, logger));
  logger.info(
    {
      url: service.url,
      apply: `${service.url}/apply`,
      database: config.database.url.startsWith('file:') ? config.database.url : 'remote',
    },
    'PermitLine is listening',
  );

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting at once');
      process.exit(1);
    }
    stopping = true;
    service.drain(config.drainTimeoutMs).then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
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

import { loadConfig } from './config/config.ts';
import { resolveDataKeys } from './config/resolve-data-keys.ts';
import { createProcessLogger } from './ops/logger.ts';
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
  const logger = createProcessLogger(config);
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

  // A bug that escaped every handler. Crashing at once would cut every live call without a word; carrying on as
  // if nothing happened would keep a process in an unknown state taking calls. So: readiness off, the live calls
  // get a short while to finish (then go on in the IVR elsewhere), and the process exits 1 for the platform to
  // replace it.
  const onFault = (fault: 'unhandledRejection' | 'uncaughtException') => (error: unknown) => {
    logger.fatal(
      { err: error, fault, drainTimeoutMs: config.faultDrainTimeoutMs },
      'unexpected error: readiness is off; live calls may finish, then the process exits 1',
    );
    if (stopping) return;
    stopping = true;
    service
      .drain(config.faultDrainTimeoutMs)
      .catch((drainError: unknown) => {
        logger.error({ err: drainError }, 'stop after the unexpected error failed');
      })
      .finally(() => process.exit(1));
  };
  process.on('unhandledRejection', onFault('unhandledRejection'));
  process.on('uncaughtException', onFault('uncaughtException'));
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    process.stderr.write(`PermitLine could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}

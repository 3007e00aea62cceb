import type { Logger } from 'pino';
import { parseDataKeys, type DataKey } from '../keys/data-keys.ts';
import { loadOrCreateDevDataKeys } from '../keys/dev-data-keys-file.ts';
import type { Config } from './config.ts';

/** Production keys come from DATA_KEYS (config refuses to start without them); in development a key file is made once under data/. */
export function resolveDataKeys(config: Config, logger: Logger): DataKey[] {
  if (config.dataKeys !== undefined) return [...config.dataKeys];
  const { text, created } = loadOrCreateDevDataKeys(config.devDataKeysFile);
  if (created) {
    logger.warn(
      { file: config.devDataKeysFile },
      'DATA_KEYS is not set: generated a development key file. Keep it with the database; without it the encrypted fields cannot be read. Never use it in production.',
    );
  }
  const parsed = parseDataKeys(text);
  if (!parsed.ok) throw new Error(`${config.devDataKeysFile}: ${parsed.problem}`);
  return parsed.keys;
}

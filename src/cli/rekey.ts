import { loadConfig } from '../config/config.ts';
import { resolveDataKeys } from '../config/resolve-data-keys.ts';
import { createProcessLogger } from '../ops/logger.ts';
import { openDatabase } from '../store/database.ts';
import { FieldCipher } from '../store/field-cipher.ts';
import { migrate } from '../store/migrations.ts';
import { rekeyDatabase } from '../store/rekey.ts';

/**
 * npm run rekey: after putting a new key first in DATA_KEYS (keeping the old
 * ones after it), re-encrypt everything under the new key. When it reports
 * done, the old keys can be removed from DATA_KEYS.
 */
const loaded = loadConfig(process.env);
if (!loaded.ok) {
  process.stderr.write(`${loaded.error.message}\n`);
  process.exit(1);
}
const { config } = loaded;
const logger = createProcessLogger(config);
try {
  const cipher = new FieldCipher(resolveDataKeys(config, logger));
  const db = await openDatabase(config.database);
  await migrate(db);
  process.stderr.write(`Re-encrypting under data key "${cipher.currentKeyId}"…\n`);
  const done = await rekeyDatabase(db, cipher, (p) => {
    process.stderr.write(
      `  fields ${p.fields}, phone hashes ${p.phoneHashes}, SMS messages ${p.outboxMessages}, calls ${p.calls}, transcript turns ${p.transcriptTurns}, texting consents ${p.smsConsents}, call-back requests ${p.callBacks}\n`,
    );
  });
  db.close();
  process.stderr.write(
    `Done: ${done.fields} fields, ${done.phoneHashes} phone hashes, ${done.outboxMessages} SMS messages, ${done.calls} calls, ${done.transcriptTurns} transcript turns, ${done.smsConsents} texting consents and ${done.callBacks} call-back requests now use key "${cipher.currentKeyId}". Older keys can be removed from DATA_KEYS.\n`,
  );
} catch (error) {
  process.stderr.write(
    `rekey failed: ${error instanceof Error ? error.message : String(error)}\nNothing half-done is left: each batch is one transaction. Fix the cause and run npm run rekey again.\n`,
  );
  process.exit(1);
}

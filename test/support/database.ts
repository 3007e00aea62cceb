import type { Client } from '@libsql/client';
import { openDatabase } from '../../src/store/database.ts';
import { migrate } from '../../src/store/migrations.ts';
import { tempDatabaseFile } from './service.ts';

/** Our own database, for real: a fresh libSQL file with every migration applied. */
export interface TestDatabase {
  readonly db: Client;
  readonly url: string;
  /** Closes the connection and removes the file. */
  close(): void;
}

export async function openTestDatabase(): Promise<TestDatabase> {
  const file = tempDatabaseFile();
  const db = await openDatabase({ url: file.url });
  await migrate(db);
  return {
    db,
    url: file.url,
    close() {
      db.close();
      file.cleanup();
    },
  };
}

/** Empties the applications and the texts queued for them, so each test of a shared service starts from none. */
export async function clearApplications(db: Client): Promise<void> {
  await db.batch(['DELETE FROM sms_outbox', 'DELETE FROM application_fields', 'DELETE FROM applications'], 'write');
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLibsqlStandIn } from '../../src/sim/libsql-stand-in.ts';

/**
 * With PERMITLINE_TEST_DATABASE=libsql (npm run test:libsql), one libSQL remote stand-in for the whole run:
 * every test's fresh database file is then reached over the network, as Turso is (test/support/service.ts
 * tempDatabaseFile gives its libsql:// URL). Without the variable, nothing starts and tests use files.
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.PERMITLINE_TEST_DATABASE !== 'libsql') return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'permitline-libsql-'));
  const standIn = await startLibsqlStandIn({ path: join(dir, 'unused.db'), fileFromPath: true });
  // Workers start after this and inherit the environment.
  process.env.PERMITLINE_TEST_LIBSQL_URL = standIn.url;
  process.stderr.write(`test databases served over the network by the libSQL stand-in at ${standIn.url}\n`);
  return async () => {
    await standIn.close();
    rmSync(dir, { recursive: true, force: true });
  };
}

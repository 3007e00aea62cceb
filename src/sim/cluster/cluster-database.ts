import { join } from 'node:path';

/**
 * The one database every instance of the local cluster shares. Until the
 * libSQL remote stand-in (src/sim/libsql-stand-in.ts) is merged this is a
 * shared file; then it is served over the network, as Turso is in production,
 * and only this function changes.
 */

export interface ClusterDatabase {
  /** DATABASE_URL for every instance (and for a test that reads the rows). */
  readonly url: string;
  close(): Promise<void>;
}

export function startClusterDatabase(dir: string): Promise<ClusterDatabase> {
  return Promise.resolve({ url: `file:${join(dir, 'permitline.db')}`, close: () => Promise.resolve() });
}

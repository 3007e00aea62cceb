import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.ts';

/**
 * The local driver runs statements synchronously; a run of them must still leave room for the event loop
 * (call audio) between statements, as a remote database's network round trips do.
 */

const STATEMENTS = 20;

describe('a local database file', () => {
  let dir: string;
  let db: Client;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'permitline-turns-'));
    db = await openDatabase({ url: `file:${join(dir, 'turns.db')}` });
    await db.execute('CREATE TABLE t (n INTEGER)');
  });
  afterEach(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('when a webhook runs statements back to back, then other work on the event loop runs between them', async () => {
    let turns = 0;
    let ticking = true;
    const tick = (): void => {
      turns += 1;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    for (let i = 0; i < STATEMENTS; i += 1) await db.execute({ sql: 'INSERT INTO t (n) VALUES (?)', args: [i] });
    await db.batch([{ sql: 'SELECT count(*) AS n FROM t', args: [] }], 'read');
    ticking = false;
    // One turn of the loop before each statement: the ticker ran between every two of them.
    expect(turns).toBeGreaterThanOrEqual(STATEMENTS);
    const rows = await db.execute('SELECT count(*) AS n FROM t');
    expect(rows.rows[0]?.n).toBe(STATEMENTS);
  });

  it('when the client is closed through the wrapper, then the database is closed', () => {
    db.close();
    expect(db.closed).toBe(true);
  });
});

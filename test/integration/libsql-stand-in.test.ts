import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createClient, LibsqlError, type Client } from '@libsql/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLibsqlStandIn, type LibsqlStandIn } from '../../src/sim/libsql-stand-in.ts';
import { openDatabase } from '../../src/store/database.ts';
import { isSchemaCurrent, migrate } from '../../src/store/migrations.ts';
import { tempDatabaseFile } from '../support/service.ts';
import { waitUntil } from '../support/wait.ts';

/**
 * The libSQL remote stand-in through the real @libsql/client, over each transport our DATABASE_URL can
 * name: what the client sends (pipelines, batons, stored SQL, batch conditions) must be answered the way
 * Turso answers it, over one real database file.
 */

const REPO_ROOT = join(import.meta.dirname, '../..');
const TRANSPORTS = ['http', 'ws', 'libsql'] as const;
type Transport = (typeof TRANSPORTS)[number];

function urlOf(standIn: LibsqlStandIn, transport: Transport): string {
  if (transport === 'http') return standIn.httpUrl;
  if (transport === 'ws') return standIn.wsUrl;
  return standIn.url;
}

function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

describe('the libSQL remote stand-in', () => {
  let file: ReturnType<typeof tempDatabaseFile>;
  let standIn: LibsqlStandIn;
  const clients: Client[] = [];

  beforeAll(async () => {
    file = tempDatabaseFile();
    standIn = await startLibsqlStandIn({ path: file.path });
    const setup = createClient({ url: standIn.url });
    await setup.batch([
      'CREATE TABLE permits (id INTEGER PRIMARY KEY, business TEXT NOT NULL UNIQUE, fee REAL, seal BLOB)',
      'CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)',
      'INSERT INTO counter (id, value) VALUES (1, 0)',
    ]);
    setup.close();
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  afterAll(async () => {
    await standIn.close();
    file.cleanup();
  });

  function connect(transport: Transport, authToken?: string): Client {
    const client = createClient({ url: urlOf(standIn, transport), ...(authToken === undefined ? {} : { authToken }) });
    clients.push(client);
    return client;
  }

  describe.each(TRANSPORTS)('over %s', (transport) => {
    const business = (name: string) => `${name} (${transport})`;

    it('executes with positional and named arguments and returns each type as the file driver does', async () => {
      const client = connect(transport);
      const seal = new Uint8Array([0, 1, 2, 250, 255]);
      const inserted = await client.execute({
        sql: 'INSERT INTO permits (business, fee, seal) VALUES (?, ?, ?)',
        args: [business('Taco Cart'), 125.5, seal],
      });
      expect(inserted.rowsAffected).toBe(1);
      expect(typeof inserted.lastInsertRowid).toBe('bigint');
      const named = await client.execute({
        sql: 'SELECT id, business, fee, seal, NULL AS missing FROM permits WHERE business = :business',
        args: { business: business('Taco Cart') },
      });
      expect(named.columns).toEqual(['id', 'business', 'fee', 'seal', 'missing']);
      const row = named.rows[0];
      expect(row?.id).toBe(Number(inserted.lastInsertRowid));
      expect(row?.business).toBe(business('Taco Cart'));
      expect(row?.fee).toBe(125.5);
      expect(new Uint8Array(row?.seal as ArrayBuffer)).toEqual(seal);
      expect(row?.missing).toBeNull();
      expect(named.columnTypes.slice(0, 3)).toEqual(['INTEGER', 'TEXT', 'REAL']);
      const bigints = createClient({ url: urlOf(standIn, transport), intMode: 'bigint' });
      clients.push(bigints);
      expect((await bigints.execute('SELECT 9007199254740993 AS big')).rows[0]?.big).toBe(9007199254740993n);
    });

    it('runs a batch as one transaction: a failing statement undoes the ones before it', async () => {
      const client = connect(transport);
      const results = await client.batch(
        [
          { sql: 'INSERT INTO permits (business) VALUES (?)', args: [business('Bakery')] },
          { sql: 'SELECT count(*) AS n FROM permits WHERE business = ?', args: [business('Bakery')] },
        ],
        'write',
      );
      expect(results[1]?.rows[0]?.n).toBe(1);
      const failure = await errorOf(
        client.batch(
          [
            { sql: 'INSERT INTO permits (business) VALUES (?)', args: [business('Food Truck')] },
            { sql: 'INSERT INTO permits (business) VALUES (?)', args: [business('Bakery')] },
          ],
          'write',
        ),
      );
      expect(failure).toBeInstanceOf(LibsqlError);
      const left = await client.execute({
        sql: 'SELECT count(*) AS n FROM permits WHERE business = ?',
        args: [business('Food Truck')],
      });
      expect(left.rows[0]?.n).toBe(0);
    });

    it('holds an interactive write transaction across requests until commit or rollback', async () => {
      const client = connect(transport);
      const other = connect(transport);
      const rolledBack = await client.transaction('write');
      await rolledBack.execute({ sql: 'INSERT INTO permits (business) VALUES (?)', args: [business('Never Opened')] });
      // Another connection does not see it while the transaction is open.
      const outside = await other.execute({
        sql: 'SELECT count(*) AS n FROM permits WHERE business = ?',
        args: [business('Never Opened')],
      });
      expect(outside.rows[0]?.n).toBe(0);
      await rolledBack.rollback();
      const committed = await client.transaction('write');
      await committed.execute({ sql: 'INSERT INTO permits (business) VALUES (?)', args: [business('Grand Opening')] });
      await committed.execute({
        sql: 'UPDATE permits SET fee = 80 WHERE business = ?',
        args: [business('Grand Opening')],
      });
      await committed.commit();
      const after = await other.execute({
        sql: 'SELECT business, fee FROM permits WHERE business IN (?, ?)',
        args: [business('Never Opened'), business('Grand Opening')],
      });
      expect(after.rows.map((r) => [r.business, r.fee])).toEqual([[business('Grand Opening'), 80]]);
    });

    it('runs a read transaction on a stable snapshot', async () => {
      const client = connect(transport);
      const writer = connect(transport);
      const read = await client.transaction('read');
      const before = await read.execute('SELECT value FROM counter WHERE id = 1');
      await writer.execute('UPDATE counter SET value = value + 1000 WHERE id = 1');
      const again = await read.execute('SELECT value FROM counter WHERE id = 1');
      expect(again.rows[0]?.value).toBe(before.rows[0]?.value);
      await expect(read.execute('UPDATE counter SET value = 0')).rejects.toThrow(/readonly/i);
      await read.commit();
      await writer.execute('UPDATE counter SET value = value - 1000 WHERE id = 1');
    });

    it('runs several statements with executeMultiple, inside and outside a transaction', async () => {
      const client = connect(transport);
      await client.executeMultiple(`
        CREATE TABLE IF NOT EXISTS inspections_${transport} (id INTEGER PRIMARY KEY, note TEXT);
        INSERT INTO inspections_${transport} (note) VALUES ('sink ok');
        INSERT INTO inspections_${transport} (note) VALUES ('fridge 4 C');
      `);
      const transaction = await client.transaction('write');
      await transaction.executeMultiple(
        `INSERT INTO inspections_${transport} (note) VALUES ('undone'); DELETE FROM inspections_${transport} WHERE note = 'sink ok';`,
      );
      await transaction.rollback();
      const notes = await client.execute(`SELECT note FROM inspections_${transport} ORDER BY id`);
      expect(notes.rows.map((r) => r.note)).toEqual(['sink ok', 'fridge 4 C']);
    });

    it('returns a 10,000-row result whole', async () => {
      const client = connect(transport);
      const result = await client.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000) SELECT i, printf('permit-%05d', i) AS reference FROM n",
      );
      expect(result.rows).toHaveLength(10_000);
      expect(result.rows[9_999]?.reference).toBe('permit-10000');
    });

    it('reports a constraint failure with the same code and message as a database file', async () => {
      const client = connect(transport);
      await client.execute({ sql: 'INSERT INTO permits (business) VALUES (?)', args: [business('Duplicate Diner')] });
      const remote = await errorOf(
        client.execute({ sql: 'INSERT INTO permits (business) VALUES (?)', args: [business('Duplicate Diner')] }),
      );
      const local = tempDatabaseFile();
      const fileClient = await openDatabase({ url: local.url });
      try {
        await fileClient.execute('CREATE TABLE permits (id INTEGER PRIMARY KEY, business TEXT NOT NULL UNIQUE)');
        await fileClient.execute("INSERT INTO permits (business) VALUES ('x')");
        const onFile = await errorOf(fileClient.execute("INSERT INTO permits (business) VALUES ('x')"));
        expect(remote).toBeInstanceOf(LibsqlError);
        expect((remote as LibsqlError).code).toBe((onFile as LibsqlError).code);
        expect((remote as LibsqlError).code).toBe('SQLITE_CONSTRAINT');
        expect(String(remote)).toMatch(/UNIQUE constraint failed: permits\.business/);
      } finally {
        fileClient.close();
        local.cleanup();
      }
    });
  });

  it('refuses a stale baton and an expired stream over HTTP with errors that say why', async () => {
    const post = (body: unknown) =>
      fetch(`${standIn.httpUrl}/v2/pipeline`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const stmt = (sql: string) => ({ type: 'execute', stmt: { sql, args: [], named_args: [], want_rows: true } });
    const opened = await post({ baton: null, requests: [stmt('SELECT 1')] });
    expect(opened.status).toBe(200);
    const first = (await opened.json()) as { baton: string };
    const next = await post({ baton: first.baton, requests: [stmt('SELECT 2')] });
    expect(next.status).toBe(200);
    const second = (await next.json()) as { baton: string };
    expect(second.baton).not.toBe(first.baton);
    const stale = await post({ baton: first.baton, requests: [stmt('SELECT 3')] });
    expect(stale.status).toBe(400);
    expect(await stale.json()).toMatchObject({ code: 'BATON_INVALID' });
    const closed = await post({ baton: second.baton, requests: [{ type: 'close' }] });
    expect(await closed.json()).toMatchObject({ baton: null });
    const afterClose = await post({ baton: second.baton, requests: [stmt('SELECT 4')] });
    expect(afterClose.status).toBe(400);
    expect(await afterClose.json()).toMatchObject({ code: 'STREAM_EXPIRED' });
    const garbage = await post({ requests: [{ type: 'drop_table' }] });
    expect(garbage.status).toBe(400);
  });

  it('rolls back a transaction whose HTTP stream stays idle past the timeout, and says so to the client', async () => {
    const shortFile = tempDatabaseFile();
    const short = await startLibsqlStandIn({ path: shortFile.path, streamIdleTimeoutMs: 300 });
    const client = createClient({ url: short.url });
    try {
      await client.execute('CREATE TABLE calls (sid TEXT)');
      const transaction = await client.transaction('write');
      await transaction.execute("INSERT INTO calls VALUES ('CA01')");
      await waitUntil(() => short.openHttpStreams === 0, 'the idle stream to be closed');
      const late = await errorOf(transaction.commit());
      expect(late).toBeInstanceOf(LibsqlError);
      expect((late as LibsqlError).code).toBe('STREAM_EXPIRED');
      // Its write lock is gone too: another writer goes ahead, and the insert never happened.
      await client.execute("INSERT INTO calls VALUES ('CA02')");
      expect((await client.execute('SELECT sid FROM calls')).rows.map((r) => r.sid)).toEqual(['CA02']);
    } finally {
      client.close();
      await short.close();
      shortFile.cleanup();
    }
  });

  it('checks the auth token when one is configured, over HTTP and WebSocket', async () => {
    const lockedFile = tempDatabaseFile();
    const locked = await startLibsqlStandIn({ path: lockedFile.path, authToken: 'county-db-token' });
    const open = (url: string, authToken?: string) =>
      createClient({ url, ...(authToken === undefined ? {} : { authToken }) });
    const opened: Client[] = [];
    try {
      for (const url of [locked.httpUrl, locked.wsUrl, locked.url]) {
        const none = open(url);
        const wrong = open(url, 'guessed');
        const right = open(url, 'county-db-token');
        opened.push(none, wrong, right);
        await expect(none.execute('SELECT 1')).rejects.toBeInstanceOf(LibsqlError);
        await expect(wrong.execute('SELECT 1')).rejects.toBeInstanceOf(LibsqlError);
        expect((await right.execute('SELECT 1 AS one')).rows[0]?.one).toBe(1);
      }
      const refused = await fetch(`${locked.httpUrl}/v2/pipeline`, { method: 'POST', body: '{"requests":[]}' });
      expect(refused.status).toBe(401);
    } finally {
      for (const client of opened) client.close();
      await locked.close();
      lockedFile.cleanup();
    }
  });

  it('loses no update when two processes increment one counter in write transactions', async () => {
    const times = 40;
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['test/support/libsql-counter.ts', standIn.url, String(times)], {
          cwd: REPO_ROOT,
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        child.on('error', reject);
        child.on('exit', (code) => {
          if (code === 0) resolve(stderr);
          else reject(new Error(`counter process exited ${String(code)}: ${stderr}`));
        });
      });
    const client = connect('libsql');
    const start = Number((await client.execute('SELECT value FROM counter WHERE id = 1')).rows[0]?.value);
    await Promise.all([run(), run()]);
    const end = Number((await client.execute('SELECT value FROM counter WHERE id = 1')).rows[0]?.value);
    expect(end - start).toBe(2 * times);
  }, 60_000);

  it('runs our migrations over it, with foreign keys enforced', async () => {
    const migratedFile = tempDatabaseFile();
    const migrated = await startLibsqlStandIn({ path: migratedFile.path });
    const db = await openDatabase({ url: migrated.url });
    try {
      const applied = await migrate(db);
      expect(applied.length).toBeGreaterThan(0);
      expect(await isSchemaCurrent(db)).toBe(true);
      expect(await migrate(db)).toEqual([]);
      expect((await db.execute('PRAGMA foreign_keys')).rows[0]?.foreign_keys).toBe(1);
    } finally {
      db.close();
      await migrated.close();
      migratedFile.cleanup();
    }
  });
});

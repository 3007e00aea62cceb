import { createClient } from '@libsql/client';

/**
 * A separate process for the stand-in's lost-update test: adds 1 to the shared counter `times` times, each
 * a read then a write in one interactive write transaction. `node test/support/libsql-counter.ts URL TIMES`.
 */
const [url, times] = process.argv.slice(2);
if (url === undefined || times === undefined) throw new Error('usage: libsql-counter.ts URL TIMES');
const client = createClient({ url });
try {
  for (let n = 0; n < Number(times); n++) {
    const transaction = await client.transaction('write');
    try {
      const current = await transaction.execute('SELECT value FROM counter WHERE id = 1');
      const value = Number(current.rows[0]?.value);
      await transaction.execute({ sql: 'UPDATE counter SET value = ? WHERE id = 1', args: [value + 1] });
      await transaction.commit();
    } finally {
      transaction.close();
    }
  }
} finally {
  client.close();
}

import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.ts';

/**
 * A remote database (Turso speaks HTTP) that stops answering: each statement
 * fails after DATABASE_TIMEOUT_MS instead of waiting forever. The stand-in
 * here accepts the request and never replies, as a hung server or a dead
 * network path would.
 */

let server: Server | undefined;
const held: ServerResponse[] = [];

afterEach(async () => {
  for (const res of held.splice(0)) res.destroy();
  server?.closeAllConnections();
  const closing = server;
  server = undefined;
  if (closing !== undefined)
    await new Promise<void>((resolve) => {
      closing.close(() => {
        resolve();
      });
    });
});

async function silentDatabaseServer(): Promise<string> {
  server = createServer((_req, res) => {
    held.push(res);
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server?.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('a remote database that stops answering', () => {
  it('when a statement gets no answer, then it fails after the timeout with an error, and the request was made', async () => {
    const url = await silentDatabaseServer();
    const db = await openDatabase({ url, timeoutMs: 300 });
    const started = Date.now();

    await expect(db.execute('SELECT 1')).rejects.toThrow();

    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(5_000);
    expect(held.length).toBeGreaterThan(0);
    db.close();
  });

  it('when no timeout is set, then the same statement is still waiting a second later (the control)', async () => {
    const url = await silentDatabaseServer();
    const db = await openDatabase({ url });
    let settled = false;
    const statement = db.execute('SELECT 1').then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );

    await new Promise((resolve) => setTimeout(resolve, 1_000));

    expect(settled).toBe(false);
    db.close();
    for (const res of held.splice(0)) res.destroy();
    await statement;
  });
});

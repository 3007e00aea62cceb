import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Client } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LOCAL_TWILIO_ACCOUNT_SID } from '../../src/sim/local-stand-ins.ts';
import { startTwilioStandIn, type TwilioStandIn } from '../../src/sim/twilio-stand-in.ts';
import { openDatabase } from '../../src/store/database.ts';
import { isSchemaCurrent, loadMigrations, migrate } from '../../src/store/migrations.ts';
import { databaseBound, tempDatabaseFile } from '../support/service.ts';
import { queueSummaries, smsWorkerEnv, TEST_AUTH_TOKEN } from '../support/sms.ts';
import { eventually, pause, waitUntil } from '../support/wait.ts';

/** `npm run worker` as a deployment runs it: the real entry point in child processes, over a database file, sending to a stand-in this test owns. */
const REPO_ROOT = join(import.meta.dirname, '../..');
const WORKER = 'src/worker.ts';
const START_TIMEOUT_MS = 10_000;

interface WorkerProcess {
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
}

// The line the worker logs as it stops (pino JSON), read for how many texts this process sent.
const stoppedLine = z.object({
  msg: z.literal('SMS worker stopped'),
  owner: z.string(),
  handled: z.number(),
  outcomes: z.object({
    sent: z.number(),
    adopted: z.number(),
    failed: z.number(),
    released: z.number(),
    'lost-lease': z.number(),
  }),
});

describe('the SMS worker process (npm run worker)', () => {
  let database: ReturnType<typeof tempDatabaseFile>;
  let db: Client;
  let standIn: TwilioStandIn;
  const children: WorkerProcess[] = [];
  const extraDatabases: ReturnType<typeof tempDatabaseFile>[] = [];

  beforeEach(async () => {
    database = tempDatabaseFile();
    db = await openDatabase({ url: database.url, authToken: undefined });
    // No delivery callbacks: they would go to PUBLIC_BASE_URL, which is not ours.
    standIn = await startTwilioStandIn({
      accountSid: LOCAL_TWILIO_ACCOUNT_SID,
      authToken: TEST_AUTH_TOKEN,
      deliver: false,
    });
  });

  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
      await child.exited;
    }
    await standIn.close();
    db.close();
    database.cleanup();
    for (const extra of extraDatabases.splice(0)) extra.cleanup();
  });

  const workerEnv = (overrides: Record<string, string> = {}) => smsWorkerEnv(database.url, standIn.baseUrl, overrides);

  function startWorker(args: readonly string[], env: Record<string, string>): WorkerProcess {
    let stdout = '';
    let stderr = '';
    const proc = spawn(process.execPath, [WORKER, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) =>
      proc.on('exit', (code) => {
        resolve(code);
      }),
    );
    const child = { process: proc, exited, stdout: () => stdout, stderr: () => stderr };
    children.push(child);
    return child;
  }

  async function sentRows(): Promise<{ n: number; sids: number }> {
    const result = await db.execute(
      "SELECT count(*) AS n, count(DISTINCT message_sid) AS sids FROM sms_outbox WHERE status = 'sent'",
    );
    return { n: Number(result.rows[0]?.n), sids: Number(result.rows[0]?.sids) };
  }

  function stoppedReport(worker: WorkerProcess): z.infer<typeof stoppedLine> {
    const line = worker
      .stdout()
      .split('\n')
      .find((l) => l.includes('"msg":"SMS worker stopped"'));
    if (line === undefined) throw new Error(`no "SMS worker stopped" line in:\n${worker.stdout()}\n${worker.stderr()}`);
    const parsed: unknown = JSON.parse(line);
    return stoppedLine.parse(parsed);
  }

  it(
    'when two worker processes run over one database, then 500 queued texts are each sent exactly once, both take part, and both exit 0 on SIGTERM',
    async () => {
      await migrate(db);
      // info, to see the running and stopped lines.
      const workers = [
        startWorker([], workerEnv({ LOG_LEVEL: 'info' })),
        startWorker([], workerEnv({ LOG_LEVEL: 'info' })),
      ];
      // Queued only once both poll, so that neither can finish the lot before the other has started.
      await waitUntil(
        () => workers.every((w) => w.stdout().includes('SMS worker is running')),
        'both workers say they are running',
        START_TIMEOUT_MS,
      );

      await queueSummaries(db, 500);
      await eventually(async () => (await sentRows()).n === 500, 'all 500 rows are sent', databaseBound(15_000));
      for (const w of workers) w.process.kill('SIGTERM');

      expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);
      expect(standIn.createRequests).toBe(500);
      expect(new Set(standIn.messages.map((m) => m.body)).size).toBe(500);
      expect(await sentRows()).toEqual({ n: 500, sids: 500 });
      const reports = workers.map(stoppedReport);
      expect(reports[0]?.owner).not.toBe(reports[1]?.owner);
      expect(reports[0]?.outcomes.sent).toBeGreaterThan(0);
      expect(reports[1]?.outcomes.sent).toBeGreaterThan(0);
      expect((reports[0]?.outcomes.sent ?? 0) + (reports[1]?.outcomes.sent ?? 0)).toBe(500);
      // Nothing given back or retried: neither process locked the other out of the database file.
      expect(reports.map((r) => r.handled)).toEqual(reports.map((r) => r.outcomes.sent));
      for (const w of workers) expect(w.stderr()).toBe('');
    },
    databaseBound(20_000),
  );

  it('when run with --once, then it sends every due text, prints how many rows it handled, and exits 0; a second run finds nothing due', async () => {
    await migrate(db);
    await queueSummaries(db, 3);

    const first = startWorker(['--once'], workerEnv());
    expect(await first.exited).toBe(0);
    expect(first.stdout()).toContain('SMS worker --once: handled 3 rows (3 sent, 0 already at Twilio, 0 failed');
    expect(standIn.createRequests).toBe(3);
    expect(await sentRows()).toEqual({ n: 3, sids: 3 });

    const second = startWorker(['--once'], workerEnv());
    expect(await second.exited).toBe(0);
    expect(second.stdout()).toContain('handled 0 rows');
    expect(standIn.createRequests).toBe(3);
  });

  it('when the schema is behind or missing, then it exits 1 saying to start the service once, and leaves the schema alone', async () => {
    await migrate(db, loadMigrations().slice(0, -1));
    const empty = tempDatabaseFile();
    extraDatabases.push(empty);

    const behind = startWorker([], workerEnv());
    const missing = startWorker(['--once'], workerEnv({ DATABASE_URL: empty.url }));

    expect(await Promise.all([behind.exited, missing.exited])).toEqual([1, 1]);
    for (const w of [behind, missing]) {
      expect(w.stderr()).toContain('does not have the current schema');
      expect(w.stderr()).toContain('start the service once against this database');
    }
    expect(await isSchemaCurrent(db)).toBe(false);
    expect(standIn.createRequests).toBe(0);
  });

  it('when a text is in hand at SIGTERM, then the worker waits for it; a second signal exits 1 at once', async () => {
    await migrate(db);
    await queueSummaries(db, 1);
    standIn.script({ kind: 'hang' });
    const worker = startWorker([], workerEnv());
    await waitUntil(() => standIn.createRequests === 1, 'the send reaches the stand-in', START_TIMEOUT_MS);

    worker.process.kill('SIGTERM');
    await pause(300);
    expect(worker.process.exitCode).toBeNull();
    worker.process.kill('SIGTERM');

    expect(await worker.exited).toBe(1);
    expect(worker.stdout()).toContain('second signal: exiting at once');
  });

  it('when TWILIO_API_BASE_URL is set in production, then it exits 1 naming the setting and where settings are documented', async () => {
    const worker = startWorker([], workerEnv({ NODE_ENV: 'production' }));

    expect(await worker.exited).toBe(1);
    expect(worker.stderr()).toContain('TWILIO_API_BASE_URL is for development and tests only');
    expect(worker.stderr()).toContain('README.md');
  });
});

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../src/sim/free-port.ts';
import { LOCAL_TWILIO_ACCOUNT_SID } from '../../src/sim/local-stand-ins.ts';
import { startTwilioStandIn, type TwilioStandIn } from '../../src/sim/twilio-stand-in.ts';
import { openDatabase } from '../../src/store/database.ts';
import { migrate } from '../../src/store/migrations.ts';
import { parseExposition, scrape, valueOf } from '../support/metrics.ts';
import { tempDatabaseFile } from '../support/service.ts';
import { queueSummaries, smsWorkerEnv, TEST_AUTH_TOKEN } from '../support/sms.ts';
import { eventually } from '../support/wait.ts';

/** `npm run worker` with METRICS_PORT: the worker process has its own /metrics, for the texts it settles. */
const REPO_ROOT = join(import.meta.dirname, '../..');

describe('the SMS worker process metrics', () => {
  let database: ReturnType<typeof tempDatabaseFile>;
  let standIn: TwilioStandIn;
  let stopWorker: () => Promise<number | null> = () => Promise.resolve(null);

  beforeEach(async () => {
    database = tempDatabaseFile();
    standIn = await startTwilioStandIn({
      accountSid: LOCAL_TWILIO_ACCOUNT_SID,
      authToken: TEST_AUTH_TOKEN,
      deliver: false,
    });
  });
  afterEach(async () => {
    await stopWorker();
    await standIn.close();
    database.cleanup();
  });

  it('when a worker with METRICS_PORT settles texts, then its /metrics counts the refusal by code and the backlog drains to 0', async () => {
    const db = await openDatabase({ url: database.url, authToken: undefined });
    await migrate(db);
    await queueSummaries(db, 3);
    db.close();
    standIn.script({ status: 400, code: 21211 });
    const port = await freePort();
    const worker = spawn(process.execPath, ['src/worker.ts'], {
      cwd: REPO_ROOT,
      stdio: 'ignore',
      env: smsWorkerEnv(database.url, standIn.baseUrl, { METRICS_PORT: String(port) }),
    });
    const exited = new Promise<number | null>((resolve) => worker.on('exit', resolve));
    stopWorker = async () => {
      if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGTERM');
      return exited;
    };
    const url = `http://127.0.0.1:${port}/metrics`;

    await eventually(
      async () => {
        const answer = await scrape(url).catch(() => undefined);
        if (answer?.status !== 200) return false;
        const samples = parseExposition(answer.body);
        return valueOf(samples, 'permitline_outbox_pending') === 0 && standIn.createRequests === 3;
      },
      'the worker has settled all three texts',
      20_000,
    );
    const samples = parseExposition((await scrape(url)).body);

    expect(valueOf(samples, 'permitline_sms_final_total', { status: 'failed' })).toBe(1);
    expect(valueOf(samples, 'permitline_sms_failures_total', { code: '21211' })).toBe(1);
    expect(valueOf(samples, 'permitline_sms_final_total', { status: 'gave-up' })).toBe(0);
    expect(valueOf(samples, 'permitline_outbox_oldest_pending_seconds')).toBe(0);
    expect(valueOf(samples, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    // The worker has no calls: their series are there, at 0.
    expect(valueOf(samples, 'permitline_calls_live')).toBe(0);
    expect(await stopWorker()).toBe(0);
  }, 30_000);
});

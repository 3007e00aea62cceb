import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/store/audit-log.ts';
import { openDatabase } from '../../src/store/database.ts';
import { migrate } from '../../src/store/migrations.ts';
import { ServiceSwitches } from '../../src/store/service-switches.ts';
import { runNode, SWITCHES_CLI, type Finished } from '../support/cli.ts';
import { TEST_KEY_A } from '../support/keys.ts';
import { tempDatabaseFile } from '../support/service.ts';

/** `npm run voice -- …` and `npm run sms -- …` as an operator runs them, over a real database file. */

let file: ReturnType<typeof tempDatabaseFile>;
const actor = `cli:${userInfo().username}`;

beforeEach(() => {
  file = tempDatabaseFile();
});
afterEach(() => {
  file.cleanup();
});

function cli(switchName: string, args: readonly string[]): Promise<Finished> {
  return runNode([SWITCHES_CLI, switchName, ...args], {
    DATABASE_URL: file.url,
    NODE_ENV: 'test',
    DATA_KEYS: TEST_KEY_A,
  });
}
const voice = (...args: string[]) => cli('voice-ai', args);
const sms = (...args: string[]) => cli('sms-sending', args);

/** The database as the service would see it after the command (migrated, as the service's start does). */
async function inDatabase<T>(read: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const db = await openDatabase({ url: file.url });
  try {
    await migrate(db);
    return await read(db);
  } finally {
    db.close();
  }
}

const auditTrail = () => inDatabase(async (db) => (await new AuditLog(db).page({ limit: 50 })).reverse());
const stateOf = (name: 'voice-ai' | 'sms-sending') =>
  inDatabase((db) => new ServiceSwitches(db, new AuditLog(db)).state(name));
const changedAt = async (name: 'voice-ai' | 'sms-sending') =>
  inDatabase(async (db) => (await new ServiceSwitches(db, new AuditLog(db)).status(name)).changedAt);

describe('npm run voice / npm run sms', () => {
  it('when package.json runs voice and sms, then each names its switch to the one switches CLI', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect([pkg.scripts.voice, pkg.scripts.sms]).toEqual([
      'node --env-file-if-exists=.env src/cli/switches.ts voice-ai',
      'node --env-file-if-exists=.env src/cli/switches.ts sms-sending',
    ]);
  });

  it('when voice is turned off with a reason, then the switch is off, the output says what callers get and how to undo it, and one audit entry names the OS user', async () => {
    const result = await voice('off', '--reason', 'model vendor outage');

    expect(result).toEqual({
      code: 0,
      stdout: [
        'Turning Voice AI off…',
        'Voice AI is off: every new call now goes to the keypad IVR; calls already talking with the assistant carry on until they end.',
        `Recorded in the audit log as switch.voice-ai.off by ${actor}.`,
        'Turn it back on with: npm run voice -- on',
        '',
      ].join('\n'),
      stderr: '',
    });
    expect(await stateOf('voice-ai')).toBe('off');
    expect(await stateOf('sms-sending')).toBe('on');
    expect(await auditTrail()).toEqual([
      expect.objectContaining({
        seq: 1,
        actor,
        action: 'switch.voice-ai.off',
        subject: 'switch:voice-ai',
        sourceAddress: 'local',
        detail: { reason: 'model vendor outage' },
      }),
    ]);
  });

  it('when status is asked before, after off and after on, then it says the state, since when, by whom and why', async () => {
    const untouched = await voice('status');
    await voice('off', '--reason', 'drill');
    const off = await voice('status');
    const offAt = await changedAt('voice-ai');
    await voice('on');
    const on = await voice('status');
    const onAt = await changedAt('voice-ai');

    expect(untouched).toMatchObject({ code: 0, stdout: 'Voice AI is on (it has never been switched).\n' });
    const [, onEntry] = await auditTrail();
    expect(off).toMatchObject({
      code: 0,
      stdout: `Voice AI is off since ${offAt}, set by ${actor} (reason: "drill"). Turn it back on with: npm run voice -- on\n`,
    });
    expect(on).toMatchObject({
      code: 0,
      stdout: `Voice AI is on since ${onAt}, set by ${actor} (no reason given).\n`,
    });
    expect(onEntry).toMatchObject({ actor, action: 'switch.voice-ai.on', subject: 'switch:voice-ai' });
    expect(await stateOf('voice-ai')).toBe('on');
  });

  it('when sms is turned off twice, then the second run says it already was and writes no second audit entry; on sends again', async () => {
    await sms('off');
    const again = await sms('off', '--reason', 'second operator');

    expect(again.code).toBe(0);
    expect(again.stdout).toContain('SMS sending was already off; nothing was changed.');
    expect(await stateOf('sms-sending')).toBe('off');
    expect((await auditTrail()).map((e) => e.action)).toEqual(['switch.sms-sending.off']);

    const on = await sms('on');

    expect(on.stdout).toContain('SMS sending is on: the outbox workers send the queued texts at their next poll.');
    expect((await auditTrail()).map((e) => e.action)).toEqual(['switch.sms-sending.off', 'switch.sms-sending.on']);
  });

  it('when the command is not off, on or status, then it exits 2 with the usage and changes nothing', async () => {
    const typo = await voice('of');
    const extra = await sms('off', 'carrier', 'incident');

    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('There is no command "of".');
    expect(typo.stderr).toContain('Usage: npm run voice -- <command>');
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('Quote a reason: --reason "…"');
    expect(await auditTrail()).toEqual([]);
  });
});

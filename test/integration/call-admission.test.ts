import { EventEmitter } from 'node:events';
import type { Client } from '@libsql/client';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallAdmission } from '../../src/call/call-admission.ts';
import { RateLimits } from '../../src/limits/rate-limits.ts';
import { CallRepository } from '../../src/store/call-repository.ts';
import { openDatabase } from '../../src/store/database.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { openTestDatabase, type TestDatabase } from '../support/database.ts';
import { testDataKeys } from '../support/keys.ts';

/**
 * CallAdmission over a real libSQL file, with webhooks that arrive at the
 * same moment. Over HTTP to a local file they are answered one after the
 * other (a local query does not yield to the event loop), so the races are
 * made here: admissions started in the same tick interleave at every await,
 * as webhooks do over a remote database.
 */

const keys = testDataKeys();
const callSid = (n: number) => `CA${(0xad000 + n).toString(16).padStart(32, '0')}`;
const NUMBER = '+13125550177';

let database: TestDatabase;
let limits: RateLimits;

beforeEach(async () => {
  database = await openTestDatabase();
  limits = new RateLimits({ redisUrl: undefined, dataKeys: keys, logger: pino({ level: 'silent' }) });
});
afterEach(async () => {
  await limits.close();
  database.close();
});

/** One instance's admission over its own connection to the shared database file. */
function admissionOver(db: Client, options: { atOncePerCaller: number; atOncePerInstance: number }) {
  return new CallAdmission({
    callsPerCaller: limits.limiter('calls-per-caller', { points: 0, perSeconds: 3600 }),
    calls: new CallRepository(db, new FieldCipher(keys)),
    callsInProgress: () => 0,
    ...options,
  });
}

describe('call admission under concurrent webhooks', () => {
  it('when more calls arrive at once than the bulkhead holds, then exactly the surplus is turned away, and a place frees when a webhook is answered', async () => {
    const admission = admissionOver(database.db, { atOncePerCaller: 0, atOncePerInstance: 2 });
    const responses = [1, 2, 3].map(() => new EventEmitter());

    const outcomes = await Promise.all(
      responses.map((res, i) => admission.admit(callSid(i), `+1312555017${i}`, 'ringing', res)),
    );

    expect(outcomes.filter((o) => o === undefined)).toHaveLength(2);
    expect(outcomes.filter((o) => o === 'instance-full')).toHaveLength(1);
    responses[outcomes.indexOf(undefined)]?.emit('close');
    expect(await admission.admit(callSid(9), '+13125550179', 'ringing', new EventEmitter())).toBeUndefined();
  });

  it('when two instances take two calls from one number at the same moment, then only one is admitted and recorded', async () => {
    const second = await openDatabase({ url: database.url });
    try {
      const instances = [database.db, second].map((db) =>
        admissionOver(db, { atOncePerCaller: 1, atOncePerInstance: 0 }),
      );

      const outcomes = await Promise.all(
        instances.map((admission, i) => admission.admit(callSid(20 + i), NUMBER, 'ringing', new EventEmitter())),
      );

      expect(outcomes.sort()).toEqual(['caller-on-another-call', undefined].sort());
      const recorded = await database.db.execute('SELECT count(*) AS n FROM calls');
      expect(Number(recorded.rows[0]?.n)).toBe(1);
    } finally {
      second.close();
    }
  });
});

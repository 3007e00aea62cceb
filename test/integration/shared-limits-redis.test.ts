import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimits, type LimitDecision } from '../../src/limits/rate-limits.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { freePort } from '../../src/sim/free-port.ts';
import { readTwiml } from '../../src/sim/twiml-reader.ts';
import { testDataKeys } from '../support/keys.ts';
import { hasRedis, reportMissingRedis, startRedisServer, type RedisServer } from '../support/redis.ts';
import { CapturedLog, startTestService, type TestService } from '../support/service.ts';
import { postTwilioWebhook } from '../support/twilio-webhook.ts';
import { waitUntil } from '../support/wait.ts';
import { PUBLIC_BASE_URL, startVoiceRig, TWILIO_AUTH_TOKEN, type VoiceRig } from '../support/voice.ts';

/**
 * With REDIS_URL set, every instance counts against one limit: two limiters
 * (two instances) and two whole services over one real redis-server. Without
 * Redis each instance keeps its own count (the control), and when Redis goes
 * away each limit is kept per instance by the insurance limiter, never
 * lifted, never refusing everyone.
 */

reportMissingRedis('the shared rate limit test');

const keys = testDataKeys();
const HOUR = 3600;

function limitsOver(redisUrl: string | undefined, log = new CapturedLog()): Promise<RateLimits> {
  return RateLimits.open({ redisUrl, dataKeys: keys, logger: createLogger('info', log) });
}

const allowed = (decisions: readonly LimitDecision[]) => decisions.filter((d) => d.allowed).length;

/** Takes alternately on each instance's limiter, `times` in all. */
async function alternate(instances: readonly RateLimits[], name: string, times: number): Promise<LimitDecision[]> {
  const limiters = instances.map((limits) => limits.limiter(name, { points: 3, perSeconds: HOUR }));
  const decisions: LimitDecision[] = [];
  for (let n = 0; n < times; n++)
    decisions.push(await (limiters[n % limiters.length]?.take('+13125550190') ?? never()));
  return decisions;
}

function never(): never {
  throw new Error('no limiter');
}

describe.skipIf(!hasRedis)('limits shared through Redis', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect((host) => ['127.0.0.1', 'localhost'].includes(host.replace(/:\d+$/, '')));
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis.stop();
    nock.enableNetConnect();
  });

  it('when two instances count one key through one Redis, then together they allow the limit once, and the next is refused with the time to wait', async () => {
    const instances = [await limitsOver(redis.url), await limitsOver(redis.url)];
    try {
      const decisions = await alternate(instances, 'shared-pair', 6);

      expect(allowed(decisions)).toBe(3);
      expect(decisions.slice(0, 3).every((d) => d.allowed)).toBe(true);
      const refused = decisions[3];
      expect(refused?.allowed === false && refused.retryAfterSeconds).toBeGreaterThan(HOUR - 60);
    } finally {
      await Promise.all(instances.map((l) => l.close()));
    }
  });

  it('when there is no Redis, then each instance keeps only its own count (the control: the shared test can fail)', async () => {
    const instances = [await limitsOver(undefined), await limitsOver(undefined)];
    expect(allowed(await alternate(instances, 'local-pair', 6))).toBe(6);
  });

  it('when two services share Redis, then one address has one page limit across both', async () => {
    const env = { REDIS_URL: redis.url, RATE_LIMIT_REQUESTS_PER_MINUTE: '3' };
    const services: TestService[] = [await startTestService(env), await startTestService(env)];
    try {
      const statuses: number[] = [];
      for (let n = 0; n < 4; n++) statuses.push((await fetch(`${services[n % 2]?.url ?? ''}/apply`)).status);

      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await Promise.all(services.map((s) => s.close()));
    }
  });

  it('when two services share Redis, then calls per hour from one number count across both', async () => {
    const env = { REDIS_URL: redis.url, CALLS_PER_CALLER_PER_HOUR: '2' };
    const rigs: VoiceRig[] = [
      await startVoiceRig('happy-path', {}, undefined, env),
      await startVoiceRig('happy-path', {}, undefined, env),
    ];
    try {
      const verbs: string[][] = [];
      for (const [n, rig] of [rigs[0], rigs[1], rigs[0]].entries()) {
        const target = {
          serviceUrl: rig?.service.url ?? '',
          publicBaseUrl: PUBLIC_BASE_URL,
          authToken: TWILIO_AUTH_TOKEN,
        };
        const sid = `CA${(0x3ed00 + n).toString(16).padStart(32, '0')}`;
        const answer = await postTwilioWebhook(target, '/twilio/voice', {
          CallSid: sid,
          From: '+13125550191',
          To: '+13125550100',
          CallStatus: 'ringing',
        });
        verbs.push([...readTwiml(answer.body).verbs]);
        await postTwilioWebhook(target, '/twilio/voice/status', { CallSid: sid, CallStatus: 'completed' });
      }

      expect(verbs).toEqual([
        ['Say', 'Connect'],
        ['Say', 'Connect'],
        ['Say', 'Hangup'],
      ]);
    } finally {
      for (const rig of rigs) await rig.close();
    }
  }, 30_000);
});

describe('limits when Redis cannot be reached', () => {
  it('when Redis is not there at start, then the limits open at once and count per instance', async () => {
    const log = new CapturedLog();
    const limits = await limitsOver(`redis://127.0.0.1:${await freePort()}`, log);
    try {
      const limiter = limits.limiter('never-there', { points: 1, perSeconds: HOUR });

      expect([(await limiter.take('a')).allowed, (await limiter.take('a')).allowed]).toEqual([true, false]);
      expect(log.text).toContain('Redis for the rate limits is unreachable');
    } finally {
      await limits.close();
    }
  });
});

describe.skipIf(!hasRedis)('limits when Redis goes away', () => {
  it('when Redis stops, then each limit is still answered and kept per instance, and a warning is logged once', async () => {
    const redis = await startRedisServer();
    const log = new CapturedLog();
    const limits = await limitsOver(redis.url, log);
    try {
      const limiter = limits.limiter('outage', { points: 2, perSeconds: HOUR });
      expect((await limiter.take('+13125550192')).allowed).toBe(true);
      await redis.stop();
      await waitUntil(() => log.text.includes('Redis for the rate limits is unreachable'), 'the outage is logged');

      const decisions = [
        await limiter.take('+13125550193'),
        await limiter.take('+13125550193'),
        await limiter.take('+13125550193'),
      ];

      expect(decisions.map((d) => d.allowed)).toEqual([true, true, false]);
      expect(log.text.split('Redis for the rate limits is unreachable')).toHaveLength(2);
      expect(log.text).not.toContain('5550193');
    } finally {
      await limits.close();
      await redis.stop();
    }
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configureTwilioNumber } from '../../src/cli/number-webhooks.ts';

/**
 * npm run twilio:configure against Twilio's REST API: the twilio library's own HTTP client, with api.twilio.com
 * and messaging.twilio.com answered by nock (we do not own Twilio). Fictional 555-01xx numbers.
 */

const ACCOUNT = `AC${'a1'.repeat(16)}`;
const NUMBER_SID = `PN${'b2'.repeat(16)}`;
const SERVICE_SID = `MG${'c3'.repeat(16)}`;
const NUMBER = '+13125550100';
const API = 'https://api.twilio.com';
const NUMBERS = `/2010-04-01/Accounts/${ACCOUNT}/IncomingPhoneNumbers.json`;
const NUMBER_PATH = `/2010-04-01/Accounts/${ACCOUNT}/IncomingPhoneNumbers/${NUMBER_SID}.json`;
const ENV = { TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: 'test-auth-token' };
const ARGS = [
  '--number',
  NUMBER,
  '--base-url',
  'https://permits.example.org',
  '--fallback-url',
  'https://static.example.net/permitline/fallback.xml',
];

/** The number as Twilio lists it: answered by an old host, SMS never set. */
function listedNumber(overrides: Record<string, unknown> = {}) {
  return {
    sid: NUMBER_SID,
    account_sid: ACCOUNT,
    phone_number: NUMBER,
    voice_url: 'https://old.example.org/voice',
    voice_method: 'POST',
    voice_fallback_url: null,
    voice_fallback_method: 'POST',
    status_callback: '',
    status_callback_method: 'POST',
    voice_application_sid: '',
    sms_url: null,
    sms_method: 'POST',
    sms_application_sid: '',
    trunk_sid: null,
    ...overrides,
  };
}
function page(numbers: readonly unknown[]) {
  return { incoming_phone_numbers: numbers, next_page_uri: null, page: 0, page_size: 20, uri: NUMBERS };
}

async function run(args: readonly string[], env: Record<string, string> = ENV) {
  let stdout = '';
  let stderr = '';
  const code = await configureTwilioNumber(args, env, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

const unmatched: string[] = [];
const onNoMatch = (req: { method?: string; url?: string; href?: string; path?: string }) => {
  unmatched.push(`${req.method ?? ''} ${req.url ?? req.href ?? req.path ?? ''}`);
};
beforeEach(() => {
  nock.disableNetConnect();
  nock.emitter.on('no match', onNoMatch);
  unmatched.length = 0;
});
afterEach(() => {
  nock.emitter.off('no match', onNoMatch);
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('npm run twilio:configure', () => {
  it('when run, then it finds the number, POSTs exactly the settings that differ, and prints each as old → new', async () => {
    const posted: Record<string, string>[] = [];
    const scope = nock(API)
      .get(NUMBERS)
      .query({ PhoneNumber: NUMBER, PageSize: '20' })
      .reply(200, page([listedNumber()]))
      .post(NUMBER_PATH)
      .reply(200, async (req: Request) => {
        posted.push(Object.fromEntries(new URLSearchParams(await req.text())));
        return listedNumber();
      });

    const result = await run(ARGS);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(scope.isDone()).toBe(true);
    expect(unmatched).toEqual([]);
    expect(posted).toEqual([
      {
        VoiceUrl: 'https://permits.example.org/twilio/voice',
        VoiceFallbackUrl: 'https://static.example.net/permitline/fallback.xml',
        VoiceFallbackMethod: 'GET',
        StatusCallback: 'https://permits.example.org/twilio/voice/status',
        SmsUrl: 'https://permits.example.org/twilio/sms',
      },
    ]);
    expect(result.stdout.split('\n')).toEqual([
      `${NUMBER} (${NUMBER_SID}) on account ${ACCOUNT}:`,
      '  VoiceUrl: https://old.example.org/voice → https://permits.example.org/twilio/voice',
      '  VoiceMethod: POST (unchanged)',
      '  VoiceFallbackUrl: (none) → https://static.example.net/permitline/fallback.xml',
      '  VoiceFallbackMethod: POST → GET',
      '  StatusCallback: (none) → https://permits.example.org/twilio/voice/status',
      '  StatusCallbackMethod: POST (unchanged)',
      '  VoiceApplicationSid: (none) (unchanged)',
      '  SmsUrl: (none) → https://permits.example.org/twilio/sms',
      '  SmsMethod: POST (unchanged)',
      '  SmsApplicationSid: (none) (unchanged)',
      'Done. Call the number once to check that PermitLine answers.',
      '',
    ]);
  });

  it('when --dry-run, then it prints the same changes and sends no POST', async () => {
    // The token from a mounted secret file, as the service takes it.
    const dir = mkdtempSync(join(tmpdir(), 'permitline-twilio-'));
    writeFileSync(join(dir, 'token'), 'token-from-file\n');
    const basic = `Basic ${Buffer.from(`${ACCOUNT}:token-from-file`).toString('base64')}`;
    const scope = nock(API)
      .matchHeader('authorization', basic)
      .get(NUMBERS)
      .query(true)
      .reply(200, page([listedNumber()]));

    const result = await run([...ARGS, '--dry-run'], {
      TWILIO_ACCOUNT_SID: ACCOUNT,
      TWILIO_AUTH_TOKEN_FILE: join(dir, 'token'),
    });
    rmSync(dir, { recursive: true, force: true });

    expect(result.code).toBe(0);
    expect(scope.isDone()).toBe(true);
    // disableNetConnect: a POST would have been recorded as unmatched (and failed the run).
    expect(unmatched).toEqual([]);
    expect(result.stdout).toContain(
      '  VoiceUrl: https://old.example.org/voice → https://permits.example.org/twilio/voice\n',
    );
    expect(result.stdout).toMatch(/\nDry run: nothing was changed\. Run again without --dry-run to apply\.\n$/);
  });

  it('when everything is already set, then it POSTs nothing', async () => {
    const current = listedNumber({
      voice_url: 'https://permits.example.org/twilio/voice',
      voice_fallback_url: 'https://static.example.net/permitline/fallback.xml',
      voice_fallback_method: 'GET',
      status_callback: 'https://permits.example.org/twilio/voice/status',
      sms_url: 'https://permits.example.org/twilio/sms',
    });
    nock(API)
      .get(NUMBERS)
      .query(true)
      .reply(200, page([current]));

    const result = await run(ARGS);

    expect(result.code).toBe(0);
    expect(unmatched).toEqual([]);
    expect(result.stdout).not.toContain('→');
  });

  it('when a TwiML App answers the number and a Messaging Service handles its texts, then the app is cleared and the service’s inbound webhook is set', async () => {
    const numberPosts: Record<string, string>[] = [];
    const servicePosts: Record<string, string>[] = [];
    nock(API)
      .get(NUMBERS)
      .query(true)
      .reply(200, page([listedNumber({ voice_application_sid: `AP${'d4'.repeat(16)}` })]))
      .post(NUMBER_PATH)
      .reply(200, async (req: Request) => {
        numberPosts.push(Object.fromEntries(new URLSearchParams(await req.text())));
        return listedNumber();
      });
    const service = {
      sid: SERVICE_SID,
      account_sid: ACCOUNT,
      inbound_request_url: null,
      inbound_method: 'POST',
      use_inbound_webhook_on_number: true,
    };
    nock('https://messaging.twilio.com')
      .get(`/v1/Services/${SERVICE_SID}`)
      .reply(200, service)
      .post(`/v1/Services/${SERVICE_SID}`)
      .reply(200, async (req: Request) => {
        servicePosts.push(Object.fromEntries(new URLSearchParams(await req.text())));
        return service;
      });

    const result = await run([...ARGS, '--messaging-service', SERVICE_SID]);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(unmatched).toEqual([]);
    expect(numberPosts).toEqual([
      {
        VoiceUrl: 'https://permits.example.org/twilio/voice',
        VoiceFallbackUrl: 'https://static.example.net/permitline/fallback.xml',
        VoiceFallbackMethod: 'GET',
        StatusCallback: 'https://permits.example.org/twilio/voice/status',
        VoiceApplicationSid: '',
      },
    ]);
    expect(servicePosts).toEqual([
      { InboundRequestUrl: 'https://permits.example.org/twilio/sms', UseInboundWebhookOnNumber: 'false' },
    ]);
    expect(result.stdout).toContain(`Messaging Service ${SERVICE_SID}:\n`);
    expect(result.stdout).not.toContain('SmsUrl');
  });

  it('when the number is not on the account, then it says so in one sentence, exits 1 and changes nothing', async () => {
    nock(API).get(NUMBERS).query(true).reply(200, page([]));

    const result = await run(ARGS);

    expect(result.code).toBe(1);
    expect(unmatched).toEqual([]);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `${NUMBER} is not a number on Twilio account ${ACCOUNT}: check the number, and that TWILIO_ACCOUNT_SID is the account that holds it.\n`,
    );
  });

  it('when a URL is http://, or the fallback is on the service’s own host, then it refuses before calling Twilio', async () => {
    const refusals = [
      [
        ['--base-url', 'http://permits.example.org'],
        '--base-url must start with https://: callers’ answers and applicants’ texts travel to it, and the media stream needs wss:// on the same host.\n',
      ],
      [
        ['--fallback-url', 'http://static.example.net/fallback.xml'],
        '--fallback-url must start with https://: Twilio fetches it in the middle of calls, and plain http can be altered on the way.\n',
      ],
      [
        ['--fallback-url', 'https://permits.example.org/static/fallback.xml'],
        "--fallback-url is on permits.example.org, the service's own host: serve twiml/fallback.xml from somewhere that stays up when PermitLine is down (twiml/README.md).\n",
      ],
      [
        ['--base-url', 'https://permits.example.org/twilio'],
        '--base-url https://permits.example.org/twilio has a path: give only the origin (such as https://permits.example.org); the service answers Twilio at /twilio/voice and /twilio/sms of it.\n',
      ],
    ] as const;
    for (const [override, message] of refusals) {
      const args = [...ARGS];
      args.splice(args.indexOf(override[0]), 2, ...override);
      const result = await run(args);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(message);
    }
    const noCredentials = await run(ARGS, {});
    expect(noCredentials.code).toBe(1);
    expect(noCredentials.stderr).toBe(
      'Set TWILIO_ACCOUNT_SID (AC followed by 32 hex digits) and TWILIO_AUTH_TOKEN (or TWILIO_AUTH_TOKEN_FILE) to the account that holds the number.\n',
    );
    const badNumber = await run(['--number', '3125550100', ...ARGS.slice(2)]);
    expect(badNumber.stderr).toMatch(/^Give the number in E\.164 form with --number, such as \+13125550100\.\n/);
    // disableNetConnect and no interceptors: any request to Twilio would have been recorded.
    expect(unmatched).toEqual([]);
  });
});

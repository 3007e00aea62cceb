import { parseArgs } from 'node:util';
import twilio, { type Twilio } from 'twilio';
import { readSecretFiles, type Environment } from '../config/secret-files.ts';

/**
 * npm run twilio:configure: points the department's Twilio number at a running PermitLine through the REST API,
 * the same settings infrastructure/terraform sets, for a deployment without Terraform (docs/deploying.md). It
 * changes only what differs, prints each setting as old → new, and with --dry-run only prints.
 */

export const USAGE =
  'Usage: npm run twilio:configure -- --number +1NXXNXXXXXX --base-url https://HOST --fallback-url https://STATIC/fallback.xml [--messaging-service MG…] [--dry-run]';

/** The webhook paths the service serves (src/call/voice-webhooks.ts, src/sms/sms-routes.ts). */
const VOICE_PATH = '/twilio/voice';
const VOICE_STATUS_PATH = '/twilio/voice/status';
const SMS_PATH = '/twilio/sms';

const E164 = /^\+[1-9]\d{6,14}$/;
const ACCOUNT_SID = /^AC[0-9a-f]{32}$/;
const MESSAGING_SERVICE_SID = /^MG[0-9a-f]{32}$/;
const HTTP_NOT_FOUND = 404;

export interface Output {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

interface Request {
  readonly number: string;
  readonly baseUrl: URL;
  readonly fallbackUrl: URL;
  readonly messagingServiceSid: string | undefined;
  readonly dryRun: boolean;
}

/** One setting as Twilio names it in the REST API, with what it is now and what it should be. */
interface Setting {
  readonly field: string;
  readonly parameter: string;
  // Twilio sends null for a setting never set.
  readonly from: string | null;
  readonly to: string;
}

class Refusal extends Error {}

/** Runs the command; returns its exit code. `connect` makes the Twilio client (tests keep the default, over nock). */
export async function configureTwilioNumber(
  argv: readonly string[],
  env: Environment,
  out: Output,
  connect: (accountSid: string, authToken: string) => Twilio = (sid, token) => twilio(sid, token),
): Promise<number> {
  const say = (line: string): void => {
    out.stdout.write(`${line}\n`);
  };
  try {
    const request = parseRequest(argv);
    const { accountSid, authToken } = credentials(env);
    const publicBaseUrl = env.PUBLIC_BASE_URL?.trim();
    if (publicBaseUrl !== undefined && publicBaseUrl !== '' && new URL(publicBaseUrl).origin !== request.baseUrl.origin)
      out.stderr.write(
        `Note: PUBLIC_BASE_URL here is ${publicBaseUrl}; the service checks each webhook's signature against its own PUBLIC_BASE_URL, so make sure the service's is ${request.baseUrl.origin}.\n`,
      );
    const client = connect(accountSid, authToken);
    await configureNumber(client, accountSid, request, say);
    if (request.messagingServiceSid !== undefined)
      await configureMessagingService(client, request.messagingServiceSid, request, say);
    say(
      request.dryRun
        ? 'Dry run: nothing was changed. Run again without --dry-run to apply.'
        : 'Done. Call the number once to check that PermitLine answers.',
    );
    return 0;
  } catch (error) {
    out.stderr.write(
      error instanceof Refusal
        ? `${error.message}\n`
        : `twilio:configure failed: ${error instanceof Error ? error.message : String(error)}\nSettings printed above as changed were changed; run it again to finish.\n`,
    );
    return 1;
  }
}

function parseRequest(argv: readonly string[]): Request {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        number: { type: 'string' },
        'base-url': { type: 'string' },
        'fallback-url': { type: 'string' },
        'messaging-service': { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new Refusal(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  const number = values.number?.trim();
  if (number === undefined || !E164.test(number))
    throw new Refusal(`Give the number in E.164 form with --number, such as +13125550100.\n${USAGE}`);
  const baseUrl = httpsUrl(
    values['base-url'],
    '--base-url',
    'the service’s public address, such as https://permits.example.org',
    'callers’ answers and applicants’ texts travel to it, and the media stream needs wss:// on the same host.',
  );
  if (baseUrl.pathname !== '/' || baseUrl.search !== '' || baseUrl.hash !== '')
    throw new Refusal(
      `--base-url ${baseUrl.href} has a path: give only the origin (such as ${baseUrl.origin}); the service answers Twilio at ${VOICE_PATH} and ${SMS_PATH} of it.`,
    );
  const fallbackUrl = httpsUrl(
    values['fallback-url'],
    '--fallback-url',
    'where a static copy of twiml/fallback.xml is served',
    'Twilio fetches it in the middle of calls, and plain http can be altered on the way.',
  );
  // What callers hear when the service cannot answer must not depend on the service (twiml/README.md).
  if (fallbackUrl.host === baseUrl.host)
    throw new Refusal(
      `--fallback-url is on ${fallbackUrl.host}, the service's own host: serve twiml/fallback.xml from somewhere that stays up when PermitLine is down (twiml/README.md).`,
    );
  const messagingServiceSid = values['messaging-service']?.trim();
  if (messagingServiceSid !== undefined && !MESSAGING_SERVICE_SID.test(messagingServiceSid))
    throw new Refusal(`--messaging-service must be a Messaging Service SID (MG followed by 32 hex digits).`);
  return { number, baseUrl, fallbackUrl, messagingServiceSid, dryRun: values['dry-run'] };
}

function httpsUrl(value: string | undefined, option: string, what: string, why: string): URL {
  if (value === undefined || value.trim() === '') throw new Refusal(`Give ${option}: ${what}.\n${USAGE}`);
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new Refusal(`${option} ${value} is not a URL: give ${what}.`);
  }
  if (url.protocol !== 'https:') throw new Refusal(`${option} must start with https://: ${why}`);
  return url;
}

/**
 * The account's credentials as the service reads them, TWILIO_AUTH_TOKEN_FILE included, but not through
 * loadConfig: that also wants the service's sender settings, which an operator pointing a number does not have.
 */
function credentials(env: Environment): { accountSid: string; authToken: string } {
  const resolved = readSecretFiles(env);
  if (resolved.problems.length > 0) throw new Refusal(resolved.problems.join('\n'));
  const accountSid = resolved.env.TWILIO_ACCOUNT_SID?.trim();
  const authToken = resolved.env.TWILIO_AUTH_TOKEN?.trim();
  if (accountSid === undefined || !ACCOUNT_SID.test(accountSid) || authToken === undefined || authToken === '')
    throw new Refusal(
      'Set TWILIO_ACCOUNT_SID (AC followed by 32 hex digits) and TWILIO_AUTH_TOKEN (or TWILIO_AUTH_TOKEN_FILE) to the account that holds the number.',
    );
  return { accountSid, authToken };
}

async function configureNumber(client: Twilio, accountSid: string, request: Request, say: (line: string) => void) {
  const found = await client.incomingPhoneNumbers.list({ phoneNumber: request.number, limit: 20 });
  const number = found.find((n) => n.phoneNumber === request.number);
  if (number === undefined)
    throw new Refusal(
      `${request.number} is not a number on Twilio account ${accountSid}: check the number, and that TWILIO_ACCOUNT_SID is the account that holds it.`,
    );
  if (number.trunkSid)
    throw new Refusal(
      `${request.number} sends its calls to SIP trunk ${number.trunkSid}, which takes precedence over a voice URL: remove it from the trunk first.`,
    );
  const url = (path: string): string => new URL(path, request.baseUrl).href;
  const settings: Setting[] = [
    { field: 'VoiceUrl', parameter: 'voiceUrl', from: number.voiceUrl, to: url(VOICE_PATH) },
    { field: 'VoiceMethod', parameter: 'voiceMethod', from: number.voiceMethod, to: 'POST' },
    {
      field: 'VoiceFallbackUrl',
      parameter: 'voiceFallbackUrl',
      from: number.voiceFallbackUrl,
      to: request.fallbackUrl.href,
    },
    // Static hosts often refuse POST (twiml/README.md).
    { field: 'VoiceFallbackMethod', parameter: 'voiceFallbackMethod', from: number.voiceFallbackMethod, to: 'GET' },
    { field: 'StatusCallback', parameter: 'statusCallback', from: number.statusCallback, to: url(VOICE_STATUS_PATH) },
    { field: 'StatusCallbackMethod', parameter: 'statusCallbackMethod', from: number.statusCallbackMethod, to: 'POST' },
    // A TwiML App on the number would take precedence over the voice URL.
    { field: 'VoiceApplicationSid', parameter: 'voiceApplicationSid', from: number.voiceApplicationSid, to: '' },
  ];
  // With a Messaging Service, texts to the number reach the service's inbound webhook, set below, not the number's.
  if (request.messagingServiceSid === undefined)
    settings.push(
      { field: 'SmsUrl', parameter: 'smsUrl', from: number.smsUrl, to: url(SMS_PATH) },
      { field: 'SmsMethod', parameter: 'smsMethod', from: number.smsMethod, to: 'POST' },
      { field: 'SmsApplicationSid', parameter: 'smsApplicationSid', from: number.smsApplicationSid, to: '' },
    );
  say(`${request.number} (${number.sid}) on account ${accountSid}:`);
  const changes = report(settings, say);
  if (changes.length > 0 && !request.dryRun)
    await client.incomingPhoneNumbers(number.sid).update(Object.fromEntries(changes.map((s) => [s.parameter, s.to])));
}

async function configureMessagingService(client: Twilio, sid: string, request: Request, say: (line: string) => void) {
  let service;
  try {
    service = await client.messaging.v1.services(sid).fetch();
  } catch (error) {
    if ((error as { status?: unknown }).status === HTTP_NOT_FOUND)
      throw new Refusal(`Messaging Service ${sid} is not on this account: check --messaging-service.`);
    throw error;
  }
  const settings: Setting[] = [
    {
      field: 'InboundRequestUrl',
      parameter: 'inboundRequestUrl',
      from: service.inboundRequestUrl,
      to: new URL(SMS_PATH, request.baseUrl).href,
    },
    { field: 'InboundMethod', parameter: 'inboundMethod', from: service.inboundMethod, to: 'POST' },
    // Without this the service hands each text to the number's own SMS URL instead.
    {
      field: 'UseInboundWebhookOnNumber',
      parameter: 'useInboundWebhookOnNumber',
      from: String(service.useInboundWebhookOnNumber),
      to: 'false',
    },
  ];
  say(`Messaging Service ${sid}:`);
  const changes = report(settings, say);
  if (changes.length > 0 && !request.dryRun)
    await client.messaging.v1
      .services(sid)
      .update(
        Object.fromEntries(changes.map((s) => [s.parameter, s.to === 'false' ? false : s.to])) as Record<
          string,
          string
        >,
      );
}

/** Prints each setting and returns those that differ. */
function report(settings: readonly Setting[], say: (line: string) => void): Setting[] {
  const shown = (value: string): string => (value === '' ? '(none)' : value);
  for (const s of settings) {
    const from = s.from ?? '';
    say(from === s.to ? `  ${s.field}: ${shown(s.to)} (unchanged)` : `  ${s.field}: ${shown(from)} → ${shown(s.to)}`);
  }
  return settings.filter((s) => (s.from ?? '') !== s.to);
}

import OpenAI from 'openai';
import twilio, { type RequestClient, type Twilio } from 'twilio';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { TwilioStandIn } from '../sim/twilio-stand-in.ts';
import { RetryAfterPreservingClient } from '../sms/retry-after-client.ts';
import type { TwilioMessaging } from '../sms/sms-delivery.ts';
import { asTwilioHttpClient, StandInHttpClient } from '../sms/stand-in-http-client.ts';

/**
 * Which outside services this process talks to: the OpenAI and Twilio
 * accounts it is configured with, or, in development without them, the local
 * stand-ins. Shared by the service and `npm run worker`.
 *
 * The stand-ins are loaded with a dynamic import() and only on the branch
 * that has no account: a static import would load the simulators (and their
 * TLS certificate maker) into every production process. Type-only imports of
 * src/sim/ are erased before the code runs, so they load nothing.
 */
const localStandIns = () => import('../sim/local-stand-ins.ts');

export interface RealtimeEndpoint {
  readonly client: OpenAI;
  readonly ca: string | undefined;
  close(): Promise<void>;
}

/** The OpenAI Realtime API when a key is configured; otherwise (development only) the local realtime simulator. */
export async function realtimeEndpoint(
  config: Config,
  logger: Logger,
  options: { readonly realtimeCa?: string },
): Promise<RealtimeEndpoint> {
  if (config.realtime.apiKey !== undefined) {
    return {
      client: new OpenAI({ apiKey: config.realtime.apiKey, baseURL: config.realtime.baseUrl }),
      ca: options.realtimeCa,
      close: () => Promise.resolve(),
    };
  }
  const { startLocalRealtimeModel } = await localStandIns();
  const simulator = await startLocalRealtimeModel(config.simulatorScenario, logger);
  logger.warn(
    { scenario: config.simulatorScenario },
    'OPENAI_API_KEY is not set: calls talk to the local realtime simulator, which plays a scripted conversation',
  );
  return {
    client: new OpenAI({ apiKey: 'local-simulator', baseURL: simulator.baseURL }),
    ca: simulator.ca,
    close: () => simulator.close(),
  };
}

export interface TwilioMessagingEndpoint extends TwilioMessaging {
  /** The local Twilio stand-in started here: only without an account and without a stand-in URL. */
  readonly standIn: TwilioStandIn | undefined;
  /** Closes the stand-in started here, if any; call it after the SMS delivery that uses this client. */
  close(): Promise<void>;
}

/**
 * Twilio when an account and a sender are configured. Otherwise (development)
 * the Twilio stand-in at `standInBaseUrl` (TWILIO_API_BASE_URL, or a test's),
 * or, without one, a local stand-in started here.
 */
export async function twilioMessagingEndpoint(
  config: Config,
  logger: Logger,
  standInBaseUrl: string | undefined,
): Promise<TwilioMessagingEndpoint> {
  const timeoutMs = config.sms.requestTimeoutMs;
  if (config.sms.sender !== undefined && config.twilio.accountSid !== undefined) {
    return {
      client: twilioClient(
        config.twilio.accountSid,
        config.twilio.authToken,
        new twilio.RequestClient({ timeout: timeoutMs }),
      ),
      sender: config.sms.sender,
      standIn: undefined,
      close: () => Promise.resolve(),
    };
  }
  const { LOCAL_FROM_NUMBER, LOCAL_TWILIO_ACCOUNT_SID, startLocalTwilio } = await localStandIns();
  let standIn: TwilioStandIn | undefined;
  let baseUrl = standInBaseUrl;
  if (baseUrl === undefined) {
    standIn = await startLocalTwilio(config.twilio.authToken, logger);
    baseUrl = standIn.baseUrl;
    logger.warn(
      'TWILIO_ACCOUNT_SID is not set: SMS summaries go to the local Twilio stand-in, which logs them instead of texting',
    );
  }
  return {
    client: twilioClient(
      LOCAL_TWILIO_ACCOUNT_SID,
      config.twilio.authToken,
      new StandInHttpClient({ baseUrl, timeoutMs }),
    ),
    sender: { from: LOCAL_FROM_NUMBER },
    standIn,
    close: async () => {
      await standIn?.close();
    },
  };
}

/** The twilio library over `transport`, with Retry-After kept on 429s whichever transport it is. */
function twilioClient(accountSid: string, authToken: string, transport: Pick<RequestClient, 'request'>): Twilio {
  const httpClient = new RetryAfterPreservingClient(transport);
  return twilio(accountSid, authToken, { httpClient: asTwilioHttpClient(httpClient) });
}

import type { Logger } from 'pino';
import { startRealtimeSimulator, type RealtimeSimulator } from './realtime-simulator.ts';
import { loadScenario } from './scenario.ts';
import { startTwilioStandIn, type TwilioStandIn } from './twilio-stand-in.ts';

/**
 * What a development start talks to in place of the accounts it does not
 * have: the local realtime simulator and the local Twilio Messages stand-in.
 * Production code reaches this module only through the dynamic import in
 * src/service/external-endpoints.ts, so a start with both accounts loads no
 * simulator code (test/integration/start-imports.test.ts).
 */

/** Used only by the local Twilio stand-in: a well-formed Account SID that no real account has. */
export const LOCAL_TWILIO_ACCOUNT_SID = `AC${'0'.repeat(32)}`;
/** The stand-in's sender: the fictional 555-01xx range. */
export const LOCAL_FROM_NUMBER = '+13125550100';

/** The realtime simulator, playing the scenario named by SIMULATOR_SCENARIO. */
export function startLocalRealtimeModel(scenarioName: string, logger: Logger): Promise<RealtimeSimulator> {
  return startRealtimeSimulator({
    scenario: loadScenario(scenarioName),
    logger: logger.child({ component: 'realtime-simulator' }),
  });
}

/** The Twilio Messages stand-in for LOCAL_TWILIO_ACCOUNT_SID; it logs each text instead of sending it. */
export function startLocalTwilio(authToken: string, logger: Logger): Promise<TwilioStandIn> {
  return startTwilioStandIn({
    accountSid: LOCAL_TWILIO_ACCOUNT_SID,
    authToken,
    logger: logger.child({ component: 'twilio-stand-in' }),
  });
}

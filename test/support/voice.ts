import { startRealtimeSimulator, type RealtimeSimulator } from '../../src/sim/realtime-simulator.ts';
import { loadScenario, type LoadedScenario } from '../../src/sim/scenario.ts';
import { simulateCall, type CallResult, type SimulateCallOptions } from '../../src/sim/call-simulator.ts';
import { ApplicationRepository } from '../../src/store/application-repository.ts';
import { FieldCipher } from '../../src/store/field-cipher.ts';
import { testDataKeys } from './keys.ts';
import { startTestService, testDatabaseUrl, type TestService } from './service.ts';

/** The public origin the service believes Twilio reaches; requests really go to the test's port. */
export const PUBLIC_BASE_URL = 'https://permits.example.test';
export const TWILIO_AUTH_TOKEN = 'test-twilio-auth-token';
export const OPENAI_TEST_KEY = 'test-openai-key';

export interface VoiceRig {
  readonly service: TestService;
  readonly model: RealtimeSimulator;
  readonly scenario: LoadedScenario;
  call(options?: Partial<SimulateCallOptions>): Promise<CallResult>;
  close(): Promise<void>;
}

/**
 * Another instance of the service beside the rig's: the same database and the same model, as a load balancer would
 * put behind one number. `env` adds to that (tracing, say).
 */
export function startSecondInstance(rig: VoiceRig, env: Record<string, string> = {}): Promise<TestService> {
  return startTestService(
    {
      PUBLIC_BASE_URL,
      TWILIO_AUTH_TOKEN,
      OPENAI_API_KEY: OPENAI_TEST_KEY,
      OPENAI_BASE_URL: rig.model.baseURL,
      DATABASE_URL: testDatabaseUrl(rig.service.databasePath),
      ...env,
    },
    { realtimeCa: rig.model.ca },
  );
}

/** The real service, the realtime simulator over TLS behind it, and a way to phone in as Twilio. */
export async function startVoiceRig(
  scenarioName: string,
  modelOptions: {
    transcriptionDelayMs?: number;
    audioChunkIntervalMs?: number;
    sessionLifetimeSeconds?: number;
    carryScriptAcrossSessions?: boolean;
  } = {},
  serviceApiKey = OPENAI_TEST_KEY,
  serviceEnv: Record<string, string> = {},
): Promise<VoiceRig> {
  const scenario = loadScenario(scenarioName);
  const model = await startRealtimeSimulator({ scenario, apiKey: OPENAI_TEST_KEY, ...modelOptions });
  const service = await startTestService(
    {
      PUBLIC_BASE_URL,
      TWILIO_AUTH_TOKEN,
      OPENAI_API_KEY: serviceApiKey,
      OPENAI_BASE_URL: model.baseURL,
      ...serviceEnv,
    },
    { realtimeCa: model.ca },
  );
  return {
    service,
    model,
    scenario,
    call: (options = {}) =>
      simulateCall({
        serviceUrl: service.url,
        publicBaseUrl: PUBLIC_BASE_URL,
        authToken: TWILIO_AUTH_TOKEN,
        scenario,
        timeoutMs: 120_000,
        ...options,
      }),
    async close() {
      await service.close();
      await model.close();
    },
  };
}

/** The application the rig's latest phone call worked on, as stored. */
export async function latestVoiceApplication(rig: VoiceRig) {
  const row = (
    await rig.service.db.execute("SELECT id FROM applications WHERE channel = 'voice' ORDER BY created_at DESC LIMIT 1")
  ).rows[0];
  return new ApplicationRepository(rig.service.db, new FieldCipher(testDataKeys())).find(row?.id as string);
}

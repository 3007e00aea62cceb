import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@libsql/client';
import { loadConfig, type Config } from '../config/config.ts';
import { ApplicationService } from '../intake/application-service.ts';
import { generateDataKeysText, parseDataKeys, type DataKey } from '../keys/data-keys.ts';
import { createLogger } from '../ops/logger.ts';
import { todayIn } from '../permits/field-inputs.ts';
import { PermitRules } from '../permits/permit-rules.ts';
import { startPermitLine } from '../service/start-permitline.ts';
import { simulateCall, type CallResult } from '../sim/call-simulator.ts';
import { startRealtimeSimulator, type RealtimeSimulator } from '../sim/realtime-simulator.ts';
import { SCENARIOS_DIR, loadScenario, type LoadedScenario } from '../sim/scenario.ts';
import { scenarioMisses, type ObservedCall } from '../sim/scenario-check.ts';
import { createLocalCertificate, type LocalCertificate } from '../sim/tls-certificate.ts';
import { ApplicationRepository, type StoredApplication } from '../store/application-repository.ts';
import { CallRepository } from '../store/call-repository.ts';
import { FieldCipher } from '../store/field-cipher.ts';

/**
 * The conversation suite: every scenario in src/sim/scenarios phoned in to
 * the real service, each over its own throw-away database with the realtime
 * simulator playing the agent, and judged against the scenario's `expect`
 * (src/sim/scenario-check.ts). `npm run scenarios` prints it; the
 * integration test asserts it.
 */

/** The staff line every suite service is given, open all week (a transfer scenario dials it). */
export const SUITE_STAFF_NUMBER = '+14255550100';
const OPEN_ALL_WEEK = 'Mon-Sun 00:00-24:00';
/** The origin the service believes Twilio reaches; the call simulator delivers it to the service's real port. */
const PUBLIC_BASE_URL = 'https://permits.example.test';
const API_KEY = 'conversation-suite';
/** Fast by default: the speech detector and the caller script count audio time, so speed changes no outcome. */
export const DEFAULT_SUITE_SPEED = 8;
/** A whole call, in wall time, on a busy machine. */
const CALL_TIMEOUT_MS = 180_000;
/** The service releases a call (and stores its ending) just after the stream closes. */
const RELEASE_WAIT_MS = 15_000;

export interface ScenarioRun {
  readonly scenario: string;
  readonly passed: boolean;
  readonly misses: readonly string[];
  readonly submitted: boolean;
  readonly callerTurnsSpoken: number;
  readonly callerTurns: number;
  /** Phone time from the call's start to the submit; undefined when nothing was submitted. */
  readonly msToSubmit: number | undefined;
  readonly fieldsSaved: number;
  readonly ending: string | undefined;
  /** Phone time of the whole call. */
  readonly durationMs: number;
}

export interface ConversationSuite {
  run(scenario: LoadedScenario): Promise<ScenarioRun>;
}

export interface ConversationSuiteOptions {
  /** How many times faster than real time the phone runs (default DEFAULT_SUITE_SPEED). */
  readonly speed?: number;
  /** DATABASE_URL for the database file at `path` (default `file:<path>`): tests may serve it over libSQL. */
  readonly databaseUrl?: (path: string) => string;
}

/** The bundled scenarios' names, sorted: every folder, so new scenarios join the suite by being added. */
export async function bundledScenarioNames(): Promise<string[]> {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the bundled scenarios folder, a constant
  const entries = await readdir(SCENARIOS_DIR, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

export async function createConversationSuite(options: ConversationSuiteOptions = {}): Promise<ConversationSuite> {
  const speed = options.speed ?? DEFAULT_SUITE_SPEED;
  if (!(speed > 0)) throw new RangeError(`speed must be positive, not ${speed}`);
  // One certificate and one key set for every scenario: each is made once, not per call.
  const certificate = await createLocalCertificate();
  const keysText = generateDataKeysText(new Date());
  const keys = parseDataKeys(keysText);
  if (!keys.ok) throw new Error(keys.problem);
  const dataKeys = keys.keys;
  const databaseUrl = options.databaseUrl ?? ((path: string) => `file:${path}`);
  return {
    run: (scenario) => runScenario(scenario, { speed, certificate, keysText, dataKeys, databaseUrl }),
  };
}

interface RunContext {
  readonly speed: number;
  readonly certificate: LocalCertificate;
  readonly keysText: string;
  readonly dataKeys: readonly DataKey[];
  readonly databaseUrl: (path: string) => string;
}

async function runScenario(scenario: LoadedScenario, context: RunContext): Promise<ScenarioRun> {
  const dir = await mkdtemp(join(tmpdir(), `permitline-scenario-${scenario.name}-`));
  let model: RealtimeSimulator | undefined;
  let service: Awaited<ReturnType<typeof startPermitLine>> | undefined;
  try {
    model = await startRealtimeSimulator({ scenario, apiKey: API_KEY, certificate: context.certificate });
    const config = suiteConfig(dir, model.baseURL, context, scenario);
    service = await startPermitLine(config, createLogger(config.logLevel), [...context.dataKeys], {
      realtimeCa: model.ca,
    });
    const cipher = new FieldCipher([...context.dataKeys]);
    const applications = new ApplicationRepository(service.db, cipher);
    const priorDraftId =
      scenario.priorDraft === undefined ? undefined : await savePriorDraft(scenario, applications, config);

    const result = await simulateCall({
      serviceUrl: service.url,
      publicBaseUrl: PUBLIC_BASE_URL,
      authToken: config.twilio.authToken,
      scenario,
      realTimeFactor: context.speed,
      timeoutMs: CALL_TIMEOUT_MS,
      ...(scenario.hangUpAfterTurn === undefined ? {} : { hangUpAfterTurn: scenario.hangUpAfterTurn }),
    });
    const running = service;
    await until(() => running.callOrchestrator.liveCalls === 0, RELEASE_WAIT_MS);
    return await judge(scenario, result, {
      db: service.db,
      cipher,
      applications,
      model,
      speed: context.speed,
      priorDraftId,
    });
  } finally {
    await service?.stop();
    await model?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The service settings a scenario asks for, as the environment the service reads. */
function serviceSettings(scenario: LoadedScenario): Record<string, string> {
  const { callerSilenceSeconds, maxCallMinutes } = scenario.service ?? {};
  return {
    ...(callerSilenceSeconds === undefined ? {} : { CALLER_SILENCE_SECONDS: String(callerSilenceSeconds) }),
    ...(maxCallMinutes === undefined ? {} : { MAX_CALL_MINUTES: String(maxCallMinutes) }),
  };
}

function suiteConfig(dir: string, modelUrl: string, context: RunContext, scenario: LoadedScenario): Config {
  const loaded = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: context.databaseUrl(join(dir, 'permitline.db')),
    PUBLIC_BASE_URL,
    DATA_KEYS: context.keysText,
    OPENAI_API_KEY: API_KEY,
    OPENAI_BASE_URL: modelUrl,
    LOG_LEVEL: 'silent',
    // No texts are the point here; the SMS end to end has its own tests.
    SMS_WORKER: 'false',
    // The simulated phone sends faster than real time; Twilio never does.
    MEDIA_MAX_PACE: String(Math.ceil(context.speed) * 2),
    STAFF_TRANSFER_NUMBER: SUITE_STAFF_NUMBER,
    OFFICE_HOURS: OPEN_ALL_WEEK,
    ...serviceSettings(scenario),
  });
  if (!loaded.ok) throw loaded.error;
  return loaded.config;
}

/** The earlier call's answers, saved as the voice channel saves them (through the field schemas). */
async function savePriorDraft(
  scenario: LoadedScenario,
  repository: ApplicationRepository,
  config: Config,
): Promise<string> {
  const rules = new PermitRules({
    healthDistricts: config.healthDistricts,
    today: () => todayIn(config.departmentTimeZone, new Date()),
  });
  const applications = new ApplicationService({ repository, rules, timeZone: config.departmentTimeZone });
  const id = await applications.startDraft('voice');
  const update = await applications.updateDraft(id, scenario.priorDraft ?? {}, 'voice');
  if (update.problems.length > 0)
    throw new Error(
      `Scenario ${scenario.name}: its priorDraft has answers the service refuses: ${update.problems.map((p) => p.message).join(' ')}`,
    );
  return id;
}

interface Stores {
  readonly db: Client;
  readonly cipher: FieldCipher;
  readonly applications: ApplicationRepository;
  readonly model: RealtimeSimulator;
  readonly speed: number;
  readonly priorDraftId: string | undefined;
}

async function judge(scenario: LoadedScenario, result: CallResult, stores: Stores): Promise<ScenarioRun> {
  const call = await new CallRepository(stores.db, stores.cipher).find(result.callSid);
  const application: StoredApplication | undefined =
    call?.applicationId === undefined ? undefined : await stores.applications.find(call.applicationId);
  const observed: ObservedCall = {
    endedBy: result.endedBy,
    callerTurnsSpoken: result.callerTurnsSpoken,
    errors: result.errors,
    protocolViolations: result.protocolViolations,
    afterStreamTwiml: result.connectActionTwiml,
    application,
    endingKind: endingKind(call?.aiEnding),
    toolProblems: toolProblems(stores.model),
    ...(stores.priorDraftId === undefined ? {} : { continuedPriorDraft: call?.applicationId === stores.priorDraftId }),
  };
  const misses = scenarioMisses(scenario, observed);
  const submittedAt = application?.submittedAt;
  return {
    scenario: scenario.name,
    passed: misses.length === 0,
    misses,
    submitted: application?.status === 'submitted',
    callerTurnsSpoken: result.callerTurnsSpoken,
    callerTurns: scenario.turns.filter((turn) => turn.speaker === 'caller').length,
    // Wall-clock times in the database; the phone ran `speed` times faster.
    msToSubmit:
      submittedAt === undefined || call === undefined
        ? undefined
        : (Date.parse(submittedAt) - Date.parse(call.startedAt)) * stores.speed,
    fieldsSaved: Object.keys(application?.fields ?? {}).length,
    ending: observed.endingKind,
    durationMs: result.durationMs,
  };
}

function endingKind(stored: string | undefined): string | undefined {
  if (stored === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(stored);
    return typeof parsed === 'object' && parsed !== null && 'kind' in parsed && typeof parsed.kind === 'string'
      ? parsed.kind
      : undefined;
  } catch {
    return undefined;
  }
}

/** The problems in the tools' answers to the model, as the model received them. */
function toolProblems(model: RealtimeSimulator): string[] {
  return model.toolOutputs().flatMap((output) => {
    try {
      const parsed: unknown = JSON.parse(output.output);
      const problems =
        typeof parsed === 'object' && parsed !== null && 'problems' in parsed ? parsed.problems : undefined;
      return Array.isArray(problems) ? problems.filter((p): p is string => typeof p === 'string') : [];
    } catch {
      return [];
    }
  });
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Loads the named scenarios (all bundled ones when none is named). */
export async function suiteScenarios(names: readonly string[]): Promise<LoadedScenario[]> {
  const chosen = names.length > 0 ? names : await bundledScenarioNames();
  return chosen.map((name) => loadScenario(name));
}

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

/**
 * A scripted phone call, shared by the two simulators: the call simulator
 * speaks the caller's turns (real speech audio) and the realtime simulator
 * plays the agent's turns (tool calls, then speech). Audio files are raw
 * 8 kHz mu-law, as Twilio streams it, next to the scenario file.
 */

const toolCall = z.object({
  /** The tool the agent calls: update_application, get_application, submit_application, end_call. */
  call: z.string().min(1),
  arguments: z.record(z.string(), z.unknown()).default({}),
});

const speech = z.object({
  say: z.string().min(1),
  /** File name of the raw mu-law audio of `say`, relative to the scenario file. */
  audio: z.string().regex(/^[\w-]+\.ulaw$/),
});

const agentTurn = z.object({
  speaker: z.literal('agent'),
  /** In order. A tool call ends the model's response; the next output comes in the response the bridge requests after sending the tool's result. */
  outputs: z.array(z.union([toolCall, speech])).min(1),
  /**
   * Played only for a response.create whose instructions contain this text (case aside), wherever the script
   * stands: the bridge's own prompts, such as a silent caller or the call's length limit. Other responses pass it by.
   */
  whenInstructed: z.string().min(1).optional(),
});

const callerTurn = speech.extend({
  speaker: z.literal('caller'),
  /** Barge-in: start speaking after hearing this many milliseconds of the agent's previous speech, instead of waiting for it to finish. */
  interruptAfterMs: z.number().int().positive().optional(),
});

/** What the conversation suite (npm run scenarios) checks once the call is over; every key is optional. */
const expectation = z.strictObject({
  /** The application was submitted (true), or is still a draft (false). */
  submitted: z.boolean().optional(),
  /** Fields the application must hold, as stored (canonical values: '2027-06-05', '+14255550187'). */
  fields: z.record(z.string(), z.unknown()).optional(),
  /** How the AI call ended, as stored: agent-finished, caller-hung-up, transfer-to-staff, … (src/call/call-ending.ts). */
  ending: z.string().min(1).optional(),
  /** Each must appear in the TwiML Twilio got after the stream (the <Connect action>). */
  afterStreamIncludes: z.array(z.string().min(1)).optional(),
  /** Each must appear in a problem a tool gave back to the agent (a refused answer). */
  toolProblemsInclude: z.array(z.string().min(1)).optional(),
});

export const scenarioSchema = z.object({
  name: z.string().regex(/^[a-z0-9-]+$/),
  description: z.string(),
  /** Fictional caller ID (555-01xx). */
  callerNumber: z.string().regex(/^\+1\d{3}55501\d{2}$/),
  /** The language the caller speaks (their audio is rendered in it); the agent's lines may mix, as a switch does. */
  language: z.enum(['en', 'es']).default('en'),
  turns: z.array(z.discriminatedUnion('speaker', [agentTurn, callerTurn])).min(1),
  /** 0-based among the caller turns: the caller hangs up right after speaking this one (a dropped call). */
  hangUpAfterTurn: z.number().int().nonnegative().optional(),
  /** A bad line: npm run sim:speech mixes white noise of this amplitude (0–1 of full scale) into the caller's audio. */
  lineNoise: z.number().positive().max(0.5).optional(),
  /**
   * The caller phoned before: these answers (as the agent would pass them to update_application, contactPhone the
   * caller's number) are saved as a voice draft before this call, which should carry it on.
   */
  priorDraft: z.record(z.string(), z.unknown()).optional(),
  expect: expectation.optional(),
  /** Settings of the service this scenario needs (the suite passes them): short silence and length limits. */
  service: z
    .object({
      callerSilenceSeconds: z.number().nonnegative().optional(),
      maxCallMinutes: z.number().nonnegative().optional(),
    })
    .optional(),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioTurn = Scenario['turns'][number];
export type AgentTurn = Extract<ScenarioTurn, { speaker: 'agent' }>;
export type CallerTurn = Extract<ScenarioTurn, { speaker: 'caller' }>;
export type AgentOutput = AgentTurn['outputs'][number];
export type ScenarioExpectation = NonNullable<Scenario['expect']>;

export const SCENARIOS_DIR = join(import.meta.dirname, 'scenarios');

export interface LoadedScenario extends Scenario {
  /** Folder of the scenario file; audio file names are relative to it. */
  readonly dir: string;
  audioOf(file: string): Buffer;
}

/** Loads `name` from the bundled scenarios, or a path to a scenario JSON file. */
export function loadScenario(nameOrPath: string): LoadedScenario {
  const path = nameOrPath.endsWith('.json') ? nameOrPath : join(SCENARIOS_DIR, nameOrPath, 'scenario.json');
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- a scenario chosen by the developer running a simulator
  const parsed = scenarioSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`Scenario ${path} is invalid: ${z.prettifyError(parsed.error)}`);
  const dir = dirname(path);
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- audio names are checked by the schema's pattern
  return { ...parsed.data, dir, audioOf: (file) => readFileSync(join(dir, file)) };
}

export function isToolCall(output: AgentOutput): output is z.infer<typeof toolCall> {
  return 'call' in output;
}

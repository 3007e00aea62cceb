import { isDeepStrictEqual } from 'node:util';
import type { Scenario } from './scenario.ts';

/**
 * Whether a scenario's call came out as the scenario says it should (its
 * `expect` block, and what every scenario implies: the caller got through all
 * their lines, the call ended on the side it should, Twilio saw no fault).
 * Pure: the conversation suite gathers what happened from the call result and
 * the database, and both `npm run scenarios` and the integration test judge it
 * here, so they cannot disagree.
 */

export interface ObservedCall {
  /** From the call simulator: who ended the media stream. */
  readonly endedBy: string;
  readonly callerTurnsSpoken: number;
  readonly errors: readonly string[];
  readonly protocolViolations: readonly string[];
  /** The TwiML the <Connect action> answered; undefined when Twilio did not ask. */
  readonly afterStreamTwiml: string | undefined;
  /** The stored application of the call, if it had one. */
  readonly application: { readonly status: string; readonly fields: Readonly<Record<string, unknown>> } | undefined;
  /** The kind of the stored AI ending (calls.ai_ending), if one was stored. */
  readonly endingKind: string | undefined;
  /** Every problem a tool gave back to the agent, in order. */
  readonly toolProblems: readonly string[];
  /** With a prior draft: whether the call worked on that draft rather than a new one. */
  readonly continuedPriorDraft?: boolean;
}

const shown = (value: unknown): string => (value === undefined ? 'nothing' : JSON.stringify(value));

/** What fell short, one sentence each; empty when the call met every expectation. */
export function scenarioMisses(scenario: Scenario, observed: ObservedCall): string[] {
  const misses: string[] = [];
  const callerTurns = scenario.turns.filter((turn) => turn.speaker === 'caller').length;
  const hangsUp = scenario.hangUpAfterTurn !== undefined;
  const turnsDue = hangsUp ? (scenario.hangUpAfterTurn ?? 0) + 1 : callerTurns;
  if (observed.callerTurnsSpoken !== turnsDue)
    misses.push(`the caller spoke ${observed.callerTurnsSpoken} turns, not the ${turnsDue} due`);
  const endedBy = hangsUp ? 'caller' : 'service';
  if (observed.endedBy !== endedBy) misses.push(`the stream was ended by the ${observed.endedBy}, not the ${endedBy}`);
  for (const error of observed.errors) misses.push(`call error: ${error}`);
  for (const violation of observed.protocolViolations) misses.push(`protocol violation: ${violation}`);
  if (scenario.priorDraft !== undefined && observed.continuedPriorDraft !== true)
    misses.push('the call did not carry on the draft of the earlier call');

  const expected = scenario.expect;
  if (expected === undefined) return misses;
  const application = observed.application;
  if (expected.submitted !== undefined) {
    const submitted = application?.status === 'submitted';
    if (submitted !== expected.submitted)
      misses.push(
        expected.submitted
          ? `the application was not submitted (${application === undefined ? 'no application' : application.status})`
          : 'the application was submitted',
      );
  }
  for (const [field, value] of Object.entries(expected.fields ?? {})) {
    const stored = application?.fields[field];
    if (!isDeepStrictEqual(stored, value)) misses.push(`${field}: expected ${shown(value)}, stored ${shown(stored)}`);
  }
  if (expected.ending !== undefined && observed.endingKind !== expected.ending)
    misses.push(`the call ending is ${observed.endingKind ?? 'not stored'}, not ${expected.ending}`);
  for (const text of expected.afterStreamIncludes ?? []) {
    if (!(observed.afterStreamTwiml ?? '').includes(text))
      misses.push(
        observed.afterStreamTwiml === undefined
          ? `Twilio never asked what to do after the stream (expected ${shown(text)})`
          : `the after-stream TwiML has no ${shown(text)}`,
      );
  }
  for (const text of expected.toolProblemsInclude ?? []) {
    if (!observed.toolProblems.some((problem) => problem.includes(text)))
      misses.push(`no tool gave back the problem ${shown(text)}`);
  }
  return misses;
}

import { IVR_ENTRY_PATH } from '../ivr/ivr-steps.ts';
import type { CallResult } from '../sim/call-simulator.ts';
import { FAST_FACTOR } from './call-options.ts';

/** What the service plays without SIMULATOR_SCENARIO (src/config/config.ts). */
const DEFAULT_SIMULATOR_SCENARIO = 'happy-path';

/**
 * Whether npm run call's call ran its scenario at all, and if not, what to do
 * about it, in words for the developer at the terminal. A call that went to
 * the keypad IVR, or to an agent playing another scenario, may end without a
 * single error; reporting it as a success would hide the reason.
 */

/** Why the scenario did not run and how to make it run; undefined when it ran. */
export function scenarioNotRun(result: CallResult, scenario: string, realTimeFactor: number): string | undefined {
  if (result.endedBy === 'off-script' && result.offScript !== undefined) {
    const { heardMs, expectedLine, playing } = result.offScript;
    // The service's default first: scenarios that share recordings cannot be told apart by them.
    const [likeliest, ...alike] = [...playing].sort(
      (a, b) => Number(b === DEFAULT_SIMULATOR_SCENARIO) - Number(a === DEFAULT_SIMULATOR_SCENARIO),
    );
    const alsoAlike = alike.length === 0 ? '' : ` (or ${alike.join(', ')}, which share those lines)`;
    const heard =
      likeliest === undefined
        ? 'speech that is none of its lines'
        : `lines of scenario ${likeliest}${alsoAlike}, not its own`;
    const other = likeliest ?? '<the scenario the service plays>';
    return [
      `✗ Scenario ${scenario} did not run: the agent is playing another one.`,
      `  expected: ${expectedLine === undefined ? `the end of scenario ${scenario}` : `"${expectedLine}"`}`,
      `  heard:    ${(heardMs / 1000).toFixed(1)} s of ${heard}`,
      `  Without OPENAI_API_KEY the service plays the scenario named by SIMULATOR_SCENARIO (default ${DEFAULT_SIMULATOR_SCENARIO}),`,
      '  and the caller must play the same one. Either restart the service with this one:',
      `    SIMULATOR_SCENARIO=${scenario} npm start`,
      '  or phone the one it plays:',
      `    npm run call -- ${other}`,
      '  (--off-script-after <seconds> sets how long the caller listens first; 0 never hangs up.)',
    ].join('\n');
  }
  const redirect = ivrRedirect(result);
  if (redirect === undefined) return undefined;
  const flooded = result.closeCode === 1008 && /faster than real time/.test(result.closeReason ?? '');
  const why = flooded
    ? [
        `  The service closed the media stream because the caller's audio came faster than it allows (${realTimeFactor}× real time).`,
        `  Start it with MEDIA_MAX_PACE=${FAST_FACTOR} (the default without OPENAI_API_KEY), or call with --real-time.`,
      ]
    : [
        ...(redirect.by === 'webhook'
          ? [
              '  The service answered without connecting the AI at all: its model is unavailable (after failed calls',
              '  it stops trying for MODEL_CIRCUIT_RESET_MS), or it turned the call away for another reason.',
            ]
          : [
              `  The service closed the media stream${result.closeReason ? ` ("${result.closeReason}")` : ''} and handed the call on:`,
              '  usually it could not reach its model (after failed calls it stops trying for MODEL_CIRCUIT_RESET_MS).',
            ]),
        '  Check OPENAI_API_KEY and OPENAI_BASE_URL, and the service log for the reason; without OPENAI_API_KEY it',
        '  uses its local realtime simulator.',
      ];
  return [
    `✗ Scenario ${scenario} did not run: the service sent the call to the keypad IVR (${redirect.url}, ${redirect.by === 'webhook' ? 'from the voice webhook' : 'after the media stream'}).`,
    "  The AI call did not happen: Twilio plays the keypad menu instead, which a scenario's spoken caller cannot use.",
    ...why,
  ].join('\n');
}

/** Where the service sent the call on to its keypad IVR, if it did. */
export function ivrRedirect(result: CallResult): CallResult['redirectedTo'] {
  const redirect = result.redirectedTo;
  return redirect !== undefined && new URL(redirect.url).pathname === IVR_ENTRY_PATH ? redirect : undefined;
}

import { readdirSync } from 'node:fs';
import { describeCallEvent, callSummary, phoneClock } from '../sim/call-report.ts';
import { ServiceUnreachableError, simulateCall } from '../sim/call-simulator.ts';
import { DEV_TWILIO_AUTH_TOKEN } from '../config/config.ts';
import { loadScenario, SCENARIOS_DIR, type LoadedScenario } from '../sim/scenario.ts';
import { scenarioGuesser } from '../sim/scenario-guess.ts';
import { parseCallOptions, type CallOptions } from './call-options.ts';
import { ivrRedirect, scenarioNotRun } from './call-verdict.ts';
import { runIvrCall } from '../sim/ivr-caller.ts';

/**
 * npm run call -- <scenario-name-or-path> [--url …] [--public-base-url …] [--real-time]
 *
 * Phones a running PermitLine service the way Twilio would and prints the
 * conversation as it happens, then a summary. Exits 1 if anything went
 * wrong on the service's side (a failed request, a protocol violation), and
 * 2 if the call did not run its scenario: the service's simulator plays
 * another one, or the service sent the call to the keypad IVR.
 */

const EXIT_INTERRUPTED = 130;
const EXIT_SCENARIO_NOT_RUN = 2;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function parseCommandLine(): CallOptions {
  const parsed = parseCallOptions(process.argv.slice(2), process.env);
  if (parsed.kind === 'help') {
    process.stdout.write(parsed.text);
    process.exit(0);
  }
  if (parsed.kind === 'problem') fail(parsed.message);
  return parsed.options;
}

function readScenario(nameOrPath: string): LoadedScenario {
  try {
    return loadScenario(nameOrPath);
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- the bundled scenarios folder, a constant
      const names = readdirSync(SCENARIOS_DIR, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name);
      fail(`No scenario "${nameOrPath}". Give a name (${names.join(', ')}) or a path to a scenario .json file.`);
    }
    fail(error instanceof Error ? error.message : String(error));
  }
}

/** Twilio follows the <Redirect>: the caller hears the IVR's first words, and hangs up at its first question. */
async function followIvr(url: string, callSid: string): Promise<void> {
  process.stdout.write(
    `\n── the keypad IVR, as Twilio plays it (the scenario's caller hangs up at its first question) ──\n`,
  );
  try {
    const ivr = await runIvrCall({
      serviceUrl: args.serviceUrl,
      publicBaseUrl: args.publicBaseUrl,
      authToken: process.env.TWILIO_AUTH_TOKEN ?? DEV_TWILIO_AUTH_TOKEN,
      from: scenario.callerNumber,
      callSid,
      inputs: [],
      entryPath: new URL(url).pathname,
      // The call simulator has sent the call's status callback already.
      statusCallbackPath: null,
      signal: interrupt.signal,
    });
    for (const said of ivr.heard) process.stdout.write(`  ivr: ${said}\n`);
    for (const error of ivr.errors) process.stdout.write(`  ✗ ${error}\n`);
  } catch (error) {
    if (interrupt.signal.aborted) throw error;
    process.stdout.write(
      `  ✗ the IVR could not be followed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  }
}

const args = parseCommandLine();
const scenario = readScenario(args.scenario);
const interrupt = new AbortController();
process.once('SIGINT', () => {
  interrupt.abort(new Error('interrupted'));
});

const speed = args.realTimeFactor === 1 ? 'in real time' : `${args.realTimeFactor}× speed; --real-time for phone speed`;
process.stdout.write(`Calling ${args.serviceUrl} as ${scenario.callerNumber} (scenario ${scenario.name}, ${speed})\n`);
try {
  const result = await simulateCall({
    serviceUrl: args.serviceUrl,
    publicBaseUrl: args.publicBaseUrl,
    authToken: process.env.TWILIO_AUTH_TOKEN ?? DEV_TWILIO_AUTH_TOKEN,
    ...(process.env.TWILIO_ACCOUNT_SID === undefined ? {} : { accountSid: process.env.TWILIO_ACCOUNT_SID }),
    scenario,
    realTimeFactor: args.realTimeFactor,
    // The scenario's own drop (mid-call-drop) unless the command line says otherwise.
    ...((args.hangUpAfterTurn ?? scenario.hangUpAfterTurn) === undefined
      ? {}
      : { hangUpAfterTurn: args.hangUpAfterTurn ?? scenario.hangUpAfterTurn }),
    // Only an agent heard playing another bundled scenario is hung up on: a real model's voice is never the recordings.
    ...(args.offScriptLimitMs === undefined
      ? {}
      : { offScriptLimitMs: args.offScriptLimitMs, offScriptPlayedBy: scenarioGuesser(scenario.name) }),
    signal: interrupt.signal,
    onEvent: (event) => {
      const line = describeCallEvent(event, args.verbose);
      if (line !== undefined) process.stdout.write(`${phoneClock(event.atMs).padStart(7)}  ${line}\n`);
    },
  });
  process.stdout.write(callSummary(result));
  const ivr = ivrRedirect(result);
  if (ivr !== undefined) await followIvr(ivr.url, result.callSid);
  const notRun = scenarioNotRun(result, scenario.name, args.realTimeFactor);
  if (notRun === undefined) process.exitCode = result.errors.length > 0 || result.protocolViolations.length > 0 ? 1 : 0;
  else {
    process.stderr.write(`\n${notRun}\n`);
    process.exitCode = EXIT_SCENARIO_NOT_RUN;
  }
} catch (error) {
  if (interrupt.signal.aborted) {
    process.stderr.write('Hung up.\n');
    process.exit(EXIT_INTERRUPTED);
  }
  if (error instanceof ServiceUnreachableError) {
    fail(`${error.message}. Is the service running? Start it with npm start (or pass --url).`);
  }
  fail(`The call could not be made: ${error instanceof Error ? error.message : String(error)}`);
}

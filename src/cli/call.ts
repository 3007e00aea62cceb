import { readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describeCallEvent, callSummary, phoneClock } from '../sim/call-report.ts';
import { ServiceUnreachableError, simulateCall } from '../sim/call-simulator.ts';
import { DEV_TWILIO_AUTH_TOKEN } from '../config/config.ts';
import { loadScenario, SCENARIOS_DIR, type LoadedScenario } from '../sim/scenario.ts';

/**
 * npm run call -- <scenario-name-or-path> [--url …] [--public-base-url …] [--fast]
 *
 * Phones a running PermitLine service the way Twilio would and prints the
 * conversation as it happens, then a summary. Exits 1 if anything went
 * wrong on the service's side (a failed request, a protocol violation).
 */

const DEFAULT_URL = 'http://127.0.0.1:3000';
const FAST_FACTOR = 4;
const EXIT_INTERRUPTED = 130;

const USAGE = `Usage: npm run call -- <scenario-name-or-path> [options]

  <scenario>               a scenario in src/sim/scenarios (e.g. happy-path) or a path to a scenario.json
  --url <url>              where the service listens (default http://127.0.0.1:3000)
  --public-base-url <url>  the service's PUBLIC_BASE_URL, which requests are signed for
                           (default: $PUBLIC_BASE_URL, else http://localhost:<port of --url>, the service's own default)
  --fast                   run ${FAST_FACTOR}× faster than real time (the service must allow it: start it with MEDIA_MAX_PACE=${FAST_FACTOR})
  --hang-up-after <n>      the caller hangs up after their n-th turn (0-based), like a dropped call
                           (default: the scenario's hangUpAfterTurn, if it has one)
  --verbose                also print every echoed mark

Signs with $TWILIO_AUTH_TOKEN, or the local development token when it is not set.
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function parseCommandLine() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        url: { type: 'string', default: DEFAULT_URL },
        'public-base-url': { type: 'string' },
        fast: { type: 'boolean', default: false },
        'hang-up-after': { type: 'string' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    fail(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const [scenario, ...extra] = positionals;
  if (scenario === undefined || extra.length > 0) fail(USAGE);
  if (!URL.canParse(values.url)) fail(`--url ${values.url} is not a URL, e.g. ${DEFAULT_URL}`);
  const serviceUrl = new URL(values.url);
  const defaultPort = serviceUrl.protocol === 'https:' ? '443' : '80';
  const publicBaseUrl =
    values['public-base-url'] ??
    process.env.PUBLIC_BASE_URL ??
    `${serviceUrl.protocol}//localhost:${serviceUrl.port || defaultPort}`;
  if (!URL.canParse(publicBaseUrl)) fail(`The public base URL ${publicBaseUrl} is not a URL`);
  const hangUpText = values['hang-up-after'];
  const hangUpAfterTurn = hangUpText === undefined ? undefined : Number(hangUpText);
  if (hangUpAfterTurn !== undefined && !(Number.isInteger(hangUpAfterTurn) && hangUpAfterTurn >= 0))
    fail(`--hang-up-after takes a caller turn number (0, 1, …), not ${hangUpText ?? ''}`);
  return {
    scenario,
    serviceUrl: serviceUrl.origin,
    publicBaseUrl,
    fast: values.fast,
    verbose: values.verbose,
    hangUpAfterTurn,
  };
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

/** One line per event, or undefined for events not worth a line. */
const args = parseCommandLine();
const scenario = readScenario(args.scenario);
const interrupt = new AbortController();
process.once('SIGINT', () => {
  interrupt.abort(new Error('interrupted'));
});

process.stdout.write(
  `Calling ${args.serviceUrl} as ${scenario.callerNumber} (scenario ${scenario.name}${args.fast ? `, ${FAST_FACTOR}× speed` : ''})\n`,
);
try {
  const result = await simulateCall({
    serviceUrl: args.serviceUrl,
    publicBaseUrl: args.publicBaseUrl,
    authToken: process.env.TWILIO_AUTH_TOKEN ?? DEV_TWILIO_AUTH_TOKEN,
    ...(process.env.TWILIO_ACCOUNT_SID === undefined ? {} : { accountSid: process.env.TWILIO_ACCOUNT_SID }),
    scenario,
    realTimeFactor: args.fast ? FAST_FACTOR : 1,
    // The scenario's own drop (mid-call-drop) unless the command line says otherwise.
    ...((args.hangUpAfterTurn ?? scenario.hangUpAfterTurn) === undefined
      ? {}
      : { hangUpAfterTurn: args.hangUpAfterTurn ?? scenario.hangUpAfterTurn }),
    signal: interrupt.signal,
    onEvent: (event) => {
      const line = describeCallEvent(event, args.verbose);
      if (line !== undefined) process.stdout.write(`${phoneClock(event.atMs).padStart(7)}  ${line}\n`);
    },
  });
  process.stdout.write(callSummary(result));
  process.exitCode = result.errors.length > 0 || result.protocolViolations.length > 0 ? 1 : 0;
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

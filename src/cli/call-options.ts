import { parseArgs } from 'node:util';

/**
 * The command lines of npm run call and npm run demo, read without side
 * effects so their defaults can be tested. Both phone FAST_FACTOR× faster than
 * real time unless asked for --real-time: a whole scenario in real time takes
 * over a minute, and the service started without a model key accepts that
 * pace (MEDIA_MAX_PACE defaults to it there, src/config/config.ts).
 */

export const FAST_FACTOR = 4;
export const DEFAULT_SERVICE_URL = 'http://127.0.0.1:3000';
/** Agent speech that is none of the caller's scenario lines, in phone seconds, before the caller gives up. */
export const DEFAULT_OFF_SCRIPT_SECONDS = 3;

export type Parsed<T> =
  | { readonly kind: 'run'; readonly options: T }
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'problem'; readonly message: string };

export interface CallOptions {
  readonly scenario: string;
  readonly serviceUrl: string;
  readonly publicBaseUrl: string;
  /** 1 for --real-time, else FAST_FACTOR. */
  readonly realTimeFactor: number;
  readonly verbose: boolean;
  readonly hangUpAfterTurn: number | undefined;
  /** Phone ms of off-script agent speech before the caller hangs up with a warning; undefined: never. */
  readonly offScriptLimitMs: number | undefined;
}

export const CALL_USAGE = `Usage: npm run call -- <scenario-name-or-path> [options]

  <scenario>               a scenario in src/sim/scenarios (e.g. happy-path) or a path to a scenario.json;
                           it must be the one the service's simulator plays (SIMULATOR_SCENARIO, default happy-path)
  --url <url>              where the service listens (default ${DEFAULT_SERVICE_URL})
  --public-base-url <url>  the service's PUBLIC_BASE_URL, which requests are signed for
                           (default: $PUBLIC_BASE_URL, else http://localhost:<port of --url>, the service's own default)
  --real-time              phone in real time (default: ${FAST_FACTOR}× faster, which a service without OPENAI_API_KEY
                           allows; one with a key needs MEDIA_MAX_PACE=${FAST_FACTOR} for it)
  --fast                   the default; accepted for old habits
  --hang-up-after <n>      the caller hangs up after their n-th turn (0-based), like a dropped call
                           (default: the scenario's hangUpAfterTurn, if it has one)
  --off-script-after <s>   hang up with a warning once the agent has said this many seconds (phone time) of speech
                           that is none of the scenario's lines: the service plays another scenario
                           (default ${DEFAULT_OFF_SCRIPT_SECONDS}; 0 never)
  --verbose                also print every echoed mark

Signs with $TWILIO_AUTH_TOKEN, or the local development token when it is not set.
Exits 0 when the call ran its scenario, 1 when the service got something wrong,
2 when the scenario did not run (the service plays another one, or sent the call to the keypad IVR).
`;

const problemOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export function parseCallOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Parsed<CallOptions> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        url: { type: 'string', default: DEFAULT_SERVICE_URL },
        'public-base-url': { type: 'string' },
        fast: { type: 'boolean', default: false },
        'real-time': { type: 'boolean', default: false },
        'hang-up-after': { type: 'string' },
        'off-script-after': { type: 'string' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    return { kind: 'problem', message: `${problemOf(error)}\n\n${CALL_USAGE}` };
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help', text: CALL_USAGE };
  const [scenario, ...extra] = positionals;
  if (scenario === undefined || extra.length > 0) return { kind: 'problem', message: CALL_USAGE };
  if (values.fast && values['real-time']) return { kind: 'problem', message: '--fast and --real-time contradict' };
  if (!URL.canParse(values.url))
    return { kind: 'problem', message: `--url ${values.url} is not a URL, e.g. ${DEFAULT_SERVICE_URL}` };
  const serviceUrl = new URL(values.url);
  const defaultPort = serviceUrl.protocol === 'https:' ? '443' : '80';
  const publicBaseUrl =
    values['public-base-url'] ??
    env.PUBLIC_BASE_URL ??
    `${serviceUrl.protocol}//localhost:${serviceUrl.port || defaultPort}`;
  if (!URL.canParse(publicBaseUrl))
    return { kind: 'problem', message: `The public base URL ${publicBaseUrl} is not a URL` };
  const hangUpText = values['hang-up-after'];
  const hangUpAfterTurn = hangUpText === undefined ? undefined : Number(hangUpText);
  if (hangUpAfterTurn !== undefined && !(Number.isInteger(hangUpAfterTurn) && hangUpAfterTurn >= 0))
    return {
      kind: 'problem',
      message: `--hang-up-after takes a caller turn number (0, 1, …), not ${hangUpText ?? ''}`,
    };
  const offScriptText = values['off-script-after'];
  const offScriptSeconds = offScriptText === undefined ? DEFAULT_OFF_SCRIPT_SECONDS : Number(offScriptText);
  if (offScriptText?.trim() === '' || !(Number.isFinite(offScriptSeconds) && offScriptSeconds >= 0))
    return {
      kind: 'problem',
      message: `--off-script-after takes seconds (e.g. ${DEFAULT_OFF_SCRIPT_SECONDS}, 0 for never), not ${offScriptText ?? ''}`,
    };
  return {
    kind: 'run',
    options: {
      scenario,
      serviceUrl: serviceUrl.origin,
      publicBaseUrl,
      realTimeFactor: values['real-time'] ? 1 : FAST_FACTOR,
      verbose: values.verbose,
      hangUpAfterTurn,
      offScriptLimitMs: offScriptSeconds === 0 ? undefined : Math.round(offScriptSeconds * 1000),
    },
  };
}

export interface DemoOptions {
  readonly scenario: string;
  readonly realTimeFactor: number;
  readonly cluster: boolean;
}

export const DEMO_USAGE = `Usage: npm run demo [-- options]

  --scenario <name>  the scenario both simulators play (a folder of src/sim/scenarios; default happy-path)
  --real-time        phone in real time (default: ${FAST_FACTOR}× faster)
  --fast             the default; accepted for old habits
  --cluster          call through HAProxy to two instances (npm run cluster's setup)
`;

export function parseDemoOptions(argv: readonly string[]): Parsed<DemoOptions> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        scenario: { type: 'string', default: 'happy-path' },
        fast: { type: 'boolean', default: false },
        'real-time': { type: 'boolean', default: false },
        cluster: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    return { kind: 'problem', message: `${problemOf(error)}\n\n${DEMO_USAGE}` };
  }
  if (values.help) return { kind: 'help', text: DEMO_USAGE };
  if (values.fast && values['real-time']) return { kind: 'problem', message: '--fast and --real-time contradict' };
  return {
    kind: 'run',
    options: {
      scenario: values.scenario,
      realTimeFactor: values['real-time'] ? 1 : FAST_FACTOR,
      cluster: values.cluster,
    },
  };
}

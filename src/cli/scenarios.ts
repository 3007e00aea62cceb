import { parseArgs } from 'node:util';
import { seconds } from '../sim/call-report.ts';
import {
  DEFAULT_SUITE_SPEED,
  createConversationSuite,
  suiteScenarios,
  type ScenarioRun,
} from './conversation-suite.ts';

/**
 * npm run scenarios [-- <scenario> … --real-time]
 *
 * The conversation suite: phones every bundled scenario (or those named) in
 * to the service, each over its own throw-away database with the realtime
 * simulator as the model, and prints for each whether the application was
 * completed, the caller's turns, the time to submit and the fields saved.
 * Exits 1 if any scenario missed what its `expect` block says.
 */

const USAGE = `Usage: npm run scenarios [-- <scenario> … ] [--real-time]

  <scenario>    run only these (folders of src/sim/scenarios, or paths to a scenario.json); default: all
  --real-time   phone in real time instead of ${DEFAULT_SUITE_SPEED}× faster
`;

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      'real-time': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  process.exit(1);
}
if (parsed.values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const out = (text: string): void => {
  process.stdout.write(`${text}\n`);
};
const speed = parsed.values['real-time'] ? 1 : DEFAULT_SUITE_SPEED;
let scenarios;
try {
  scenarios = await suiteScenarios(parsed.positionals);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

out(`Conversation suite: ${scenarios.length} scenarios, ${speed === 1 ? 'in real time' : `${speed}× real time`}.`);
const suite = await createConversationSuite({ speed });
const runs: ScenarioRun[] = [];
for (const [index, scenario] of scenarios.entries()) {
  process.stdout.write(`[${index + 1}/${scenarios.length}] ${scenario.name} … `);
  const run = await suite.run(scenario);
  runs.push(run);
  out(run.passed ? 'as expected' : 'MISSED');
  for (const miss of run.misses) out(`      ✗ ${miss}`);
}

const header = ['scenario', 'result', 'completed', 'turns', 'to submit', 'fields', 'ending', 'call'];
const rows = runs.map((run) => [
  run.scenario,
  run.passed ? 'pass' : 'FAIL',
  run.submitted ? 'yes' : 'no',
  `${run.callerTurnsSpoken}/${run.callerTurns}`,
  run.msToSubmit === undefined ? '—' : seconds(run.msToSubmit),
  String(run.fieldsSaved),
  run.ending ?? '—',
  seconds(run.durationMs),
]);
const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
const line = (cells: readonly string[]): string =>
  cells
    .map((cell, column) => cell.padEnd(widths[column] ?? 0))
    .join('  ')
    .trimEnd();
out('');
out(line(header));
out(line(widths.map((width) => '─'.repeat(width))));
for (const row of rows) out(line(row));
const failed = runs.filter((run) => !run.passed).length;
out(
  `\n${runs.length - failed} of ${runs.length} as expected. Turns are the caller's; times are phone time (the call ran ${speed}× real time).`,
);
process.exitCode = failed > 0 ? 1 : 0;

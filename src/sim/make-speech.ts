import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SCENARIOS_DIR, isToolCall, loadScenario, type LoadedScenario } from './scenario.ts';
import { SAMPLE_RATE_HZ } from './speech-detector.ts';

/**
 * Renders every `say` line of the bundled scenarios into the raw 8 kHz mu-law
 * file next to the scenario, with espeak-ng (a voice per speaker) and sox.
 *
 *   node src/sim/make-speech.ts                 all scenarios
 *   node src/sim/make-speech.ts happy-path …    only these
 *
 * The output is committed, so the simulators and tests need neither tool.
 */

const run = promisify(execFile);

// A voice per speaker, in the scenario's language (es-419: the Latin American Spanish most callers here speak).
const VOICES = {
  en: { agent: 'en-us+f3', caller: 'en-us+m3' },
  es: { agent: 'es-419+f3', caller: 'es-419+m3' },
} as const;
type Speaker = keyof (typeof VOICES)['en'];
const INSTALL_HINT = 'install them with: apt-get install -y espeak-ng sox';

interface Line {
  readonly speaker: Speaker;
  readonly language: LoadedScenario['language'];
  readonly say: string;
  readonly audio: string;
  /** White noise mixed in (amplitude, 0–1 of full scale): the caller's bad line. */
  readonly noise?: number;
}

export function speechLines(scenario: LoadedScenario): Line[] {
  const noise = scenario.lineNoise === undefined ? {} : { noise: scenario.lineNoise };
  return scenario.turns.flatMap((turn): Line[] =>
    turn.speaker === 'caller'
      ? [{ speaker: 'caller', language: scenario.language, say: turn.say, audio: turn.audio, ...noise }]
      : turn.outputs.flatMap((output): Line[] =>
          isToolCall(output)
            ? []
            : [{ speaker: 'agent', language: scenario.language, say: output.say, audio: output.audio }],
        ),
  );
}

async function requireTool(command: string): Promise<void> {
  try {
    await run(command, ['--version']);
  } catch (error) {
    if (isMissingCommand(error)) throw new Error(`${command} is not installed; ${INSTALL_HINT}`, { cause: error });
    throw error;
  }
}

function isMissingCommand(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}

async function render(line: Line, outputPath: string, workDir: string): Promise<void> {
  const wav = join(workDir, 'speech.wav');
  // espeak-ng's default rate (175 words a minute) is normal speaking speed; its own padding is short.
  await run('espeak-ng', ['-v', VOICES[line.language][line.speaker], '-w', wav, '--', line.say]);
  const inputs = line.noise === undefined ? [wav] : await withLineNoise(wav, line.noise, workDir);
  // --no-dither: sox's default dither is random, so every run would rewrite every committed file.
  await run('sox', [
    '--no-dither',
    ...inputs,
    '-r',
    String(SAMPLE_RATE_HZ),
    '-c',
    '1',
    '-e',
    'mu-law',
    '-t',
    'raw',
    outputPath,
  ]);
}

/**
 * sox arguments mixing `wav` with white noise as long as it: -R seeds sox's generator the same way each run (the
 * files are committed), and `-v 1` on each input stops -m halving both.
 */
async function withLineNoise(wav: string, amplitude: number, workDir: string): Promise<string[]> {
  const noise = join(workDir, 'noise.wav');
  await run('sox', ['-R', wav, noise, 'synth', 'whitenoise', 'vol', String(amplitude)]);
  return ['-R', '-m', '-v', '1', wav, '-v', '1', noise];
}

async function scenarioNames(requested: readonly string[]): Promise<string[]> {
  if (requested.length > 0) return [...requested];
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the bundled scenarios folder, a constant
  const entries = await readdir(SCENARIOS_DIR, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

export async function makeSpeech(requested: readonly string[], write: (line: string) => void): Promise<number> {
  await requireTool('espeak-ng');
  await requireTool('sox');
  const workDir = await mkdtemp(join(tmpdir(), 'permitline-speech-'));
  let files = 0;
  try {
    for (const name of await scenarioNames(requested)) {
      const scenario = loadScenario(name);
      for (const line of speechLines(scenario)) {
        const outputPath = join(scenario.dir, line.audio);
        await render(line, outputPath, workDir);
        const bytes = scenario.audioOf(line.audio).length;
        write(`${scenario.name}/${line.audio}  ${line.speaker}  ${(bytes / SAMPLE_RATE_HZ).toFixed(1)} s\n`);
        files += 1;
      }
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  return files;
}

if (import.meta.main) {
  try {
    const files = await makeSpeech(process.argv.slice(2), (line) => process.stdout.write(line));
    process.stdout.write(`${files} audio files written\n`);
  } catch (error) {
    process.stderr.write(`make-speech: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

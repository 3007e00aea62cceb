import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkSbom } from './sbom-check.ts';

/**
 * npm run sbom [-- --output FILE]: writes a CycloneDX SBOM (JSON) of the
 * production dependencies with @cyclonedx/cyclonedx-npm, then checks it
 * (src/cli/sbom-check.ts). Exit 0 when it is good; 1 with each problem and
 * what to do.
 *
 * Why these options:
 * - --package-lock-only: the SBOM describes what `npm ci` installs from the
 *   lock file, the same on every machine, whatever is in node_modules.
 * - --omit dev: what runs in production, not the test and lint tools.
 * - --output-reproducible: no timestamp and no random serial number, so the
 *   same lock file gives the same file.
 * - JSON, validated with the tool's JSON schema validator (ajv). The XML
 *   validator, libxmljs2, is native and its install script is denied in
 *   package.json's allowScripts: nothing here needs it.
 */

const ROOT = join(import.meta.dirname, '../..');
// Under build/, which git ignores: the SBOM is generated, never committed.
const DEFAULT_OUTPUT = join(ROOT, 'build/sbom/permitline.cdx.json');
const TOOL_OPTIONS = [
  '--package-lock-only',
  '--omit',
  'dev',
  '--output-reproducible',
  '--validate',
  '--output-format',
  'JSON',
] as const;

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { output: { type: 'string' } } });
  const output = values.output === undefined ? DEFAULT_OUTPUT : resolve(values.output);
  const shown = relative(process.cwd(), output) || output;
  process.stdout.write(`Writing the SBOM of the production dependencies (CycloneDX JSON) to ${shown}…\n`);
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the operator's own output path
  mkdirSync(dirname(output), { recursive: true });
  const tool = await runTool([...TOOL_OPTIONS, '--output-file', output]);
  if (tool.code !== 0) {
    process.stderr.write(
      `${tool.stderr}cyclonedx-npm failed (exit ${tool.code ?? 'by signal'}). Check that package-lock.json matches package.json (npm install updates it), then run npm run sbom again.\n`,
    );
    return 1;
  }
  process.stdout.write('Checking it against package.json and package-lock.json…\n');
  const check = checkSbom(
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the file the tool just wrote
    readFileSync(output, 'utf8'),
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')),
    JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')),
  );
  if (!check.ok) {
    process.stderr.write(
      `The SBOM at ${shown} is not right:\n${check.problems.map((p) => `  - ${p}\n`).join('')}It was written by @cyclonedx/cyclonedx-npm with ${TOOL_OPTIONS.join(' ')}: check that the installed version is the one package.json pins, then run npm run sbom again.\n`,
    );
    return 1;
  }
  process.stdout.write(
    `SBOM written: CycloneDX ${check.specVersion}, ${check.components} components, all ${check.dependencies} production dependencies at their locked versions, no development-only packages.\n`,
  );
  return 0;
}

function runTool(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  const require = createRequire(import.meta.url);
  const bin = join(dirname(require.resolve('@cyclonedx/cyclonedx-npm')), 'bin/cyclonedx-npm-cli.js');
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      done({ code, stderr });
    });
  });
}

process.exitCode = await main();

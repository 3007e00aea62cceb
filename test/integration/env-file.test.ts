import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_KEY_A } from '../support/keys.ts';
import { projectCopy } from '../support/service-process.ts';
import { waitUntil } from '../support/wait.ts';

/**
 * `cp .env.example .env` then `npm start`: the scripts read `.env` from the project folder, and a variable set in
 * the real environment wins over the file. Run with npm in a copy of the project (projectCopy), so the .env is
 * this test's and never a developer's own.
 */

let dir: string;
let child: ChildProcess | undefined;

afterEach(() => {
  // npm runs in a process group of its own: stop npm and the service under it together.
  if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  child = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function npmStart(project: string, env: Record<string, string>): Promise<string> {
  let output = '';
  const proc = spawn('npm', ['start', '--silent'], {
    cwd: project,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', SMS_WORKER: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child = proc;
  proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
  await waitUntil(
    () => output.includes('PermitLine is listening'),
    `npm start listens; it printed:\n${output}`,
    20_000,
  );
  return output;
}

describe('.env', () => {
  it('when the project has a .env, then npm start uses its settings', async () => {
    dir = mkdtempSync(join(tmpdir(), 'permitline-dotenv-'));
    const fromFile = join(dir, 'from-dotenv.db');
    const project = projectCopy(dir, `# as copied from .env.example\nDATABASE_URL=file:${fromFile}\n`);

    const output = await npmStart(project, { DATA_KEYS: TEST_KEY_A });

    expect(output).toContain(`"database":"file:${fromFile}"`);
    expect(existsSync(fromFile)).toBe(true);
  });

  it('when a setting is both in .env and in the environment, then the environment wins', async () => {
    dir = mkdtempSync(join(tmpdir(), 'permitline-dotenv-'));
    const fromFile = join(dir, 'from-dotenv.db');
    const fromEnv = join(dir, 'from-env.db');
    const project = projectCopy(dir, `DATABASE_URL=file:${fromFile}\nDATA_KEYS=${TEST_KEY_A}\n`);

    const output = await npmStart(project, { DATABASE_URL: `file:${fromEnv}` });

    expect(output).toContain(`"database":"file:${fromEnv}"`);
    expect(existsSync(fromEnv)).toBe(true);
    expect(existsSync(fromFile)).toBe(false);
    // DATA_KEYS came from the file: no development key file was generated.
    expect(output).not.toContain('generated a development key file');
  });

  it('when a script runs a tool that reads the configuration, then it reads .env too', () => {
    const scripts = (
      JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    for (const name of [
      'start',
      'worker',
      'staff',
      'rekey',
      'audit:verify',
      'retention',
      'backup',
      'restore',
      'twilio:configure',
      'voice',
      'sms',
    ])
      expect(scripts[name], name).toMatch(/\bnode --env-file-if-exists=\.env src\//);
  });
});

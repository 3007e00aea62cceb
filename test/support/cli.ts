import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** Our command-line tools, run to their end as an operator runs them from a shell. */

export const STAFF_CLI = join(import.meta.dirname, '../../src/cli/staff.ts');
export const AUDIT_VERIFY_CLI = join(import.meta.dirname, '../../src/cli/audit-verify.ts');
/** npm run voice / npm run sms: the switch's name comes first, as package.json gives it. */
export const SWITCHES_CLI = join(import.meta.dirname, '../../src/cli/switches.ts');
export const CALL_CLI = join(import.meta.dirname, '../../src/cli/call.ts');

export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Node (the project's, this one) with `args`; only PATH and `env` in its environment, `stdin` on its standard input.
 * A tool still running after `timeoutMs` is killed (by its pid) and finishes with code null: a hang fails the test.
 */
export function runNode(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  stdin = '',
  timeoutMs?: number,
): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            child.kill('SIGKILL');
          }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
}

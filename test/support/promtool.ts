import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Debian's promtool (the prometheus package; CI installs it, see .ci/run),
 * for the checks of infrastructure/monitoring/prometheus/. A machine without
 * it skips those checks and says how to install it: a skipped check must say
 * why, or a machine without promtool would look green.
 */

export const PROMTOOL = '/usr/bin/promtool';
export const hasPromtool = existsSync(PROMTOOL);
if (!hasPromtool) {
  process.stderr.write(
    `promtool not found at ${PROMTOOL}: the Prometheus rule and config checks are SKIPPED. install Debian's prometheus package: apt-get install -y prometheus\n`,
  );
}

export interface PromtoolRun {
  readonly exitCode: number;
  /** stdout and stderr together, as promtool printed them: what a failing test shows. */
  readonly output: string;
}

export function promtool(args: readonly string[], cwd: string): Promise<PromtoolRun> {
  return new Promise((resolve, reject) => {
    execFile(PROMTOOL, args, { cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      // A number is promtool's exit status; anything else (not started, killed by the timeout) is not a verdict.
      if (error !== null && typeof error.code !== 'number') {
        reject(new Error(`promtool ${args.join(' ')} did not run: ${error.message}`));
        return;
      }
      resolve({
        exitCode: error === null ? 0 : Number(error.code),
        output: `$ promtool ${args.join(' ')}\n${stdout}${stderr}`,
      });
    });
  });
}

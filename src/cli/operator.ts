import { userInfo } from 'node:os';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

/** What the command-line tools share: who is running them, and counts in words. */

/** The audit log names a command-line change `cli:<this>`. */
export function operatingSystemUser(): string {
  try {
    return userInfo().username;
  } catch {
    // A container user with no passwd entry has no name, only a uid.
    return `uid-${process.getuid?.() ?? 'unknown'}`;
  }
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** How a command that asks something of an operator ends: done, refused (with what to do next), or not understood. */
export const EXIT = { ok: 0, refused: 1, usage: 2 } as const;

// On Error, not AppError: it only picks main()'s exit code; no HTTP status or operational flag is read here.
/** The command line does not say what to do: exit 2 with the usage. */
export class UsageError extends Error {}

/** Words and `--options` of a command, strictly: anything parseArgs refuses becomes a UsageError. */
export function parseCommandLine<T extends ParseArgsOptionsConfig>(
  argv: readonly string[],
  options: T,
): {
  readonly positionals: string[];
  readonly values: ReturnType<typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>>['values'];
} {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

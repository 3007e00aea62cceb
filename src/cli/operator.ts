import { userInfo } from 'node:os';

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

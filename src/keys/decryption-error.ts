import { AppError } from '../errors.ts';

export type DecryptionFailure = 'malformed' | 'unknown-key' | 'authentication';

/**
 * Stored data that does not decrypt. Never operational: whatever the cause
 * (a key dropped from DATA_KEYS too early, a value altered or copied, a bug),
 * it is ours to fix, not the user's.
 */
export class DecryptionError extends AppError {
  readonly reason: DecryptionFailure;

  constructor(reason: DecryptionFailure, message: string, options: { cause?: unknown } = {}) {
    super(message, { operational: false, cause: options.cause });
    this.reason = reason;
  }
}

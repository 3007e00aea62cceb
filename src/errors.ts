/**
 * One error base for the service. `operational` errors are expected
 * (bad input, an unreachable dependency) and are answered; anything else is a
 * bug and is logged with its stack. `retryable` tells callers of outbound
 * adapters whether trying again can help.
 */
export interface AppErrorOptions {
  status?: number;
  operational?: boolean;
  retryable?: boolean;
  cause?: unknown;
}

export class AppError extends Error {
  readonly status: number;
  readonly operational: boolean;
  readonly retryable: boolean;

  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.status = options.status ?? 500;
    this.operational = options.operational ?? true;
    this.retryable = options.retryable ?? false;
  }
}

/** The caller sent something we cannot accept; the message is safe to show them. */
export class UserInputError extends AppError {
  constructor(message: string, options: Omit<AppErrorOptions, 'status'> = {}) {
    super(message, { ...options, status: 400 });
  }
}

/** The configuration or environment is wrong; the message says how to fix it. */
export class ConfigError extends AppError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`, {
      operational: false,
    });
    this.problems = problems;
  }
}

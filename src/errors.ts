/**
 * The service's errors, sorted by whose fault they are (docs/adr/0004):
 * the caller's (UserInputError), the operator's (ConfigError), something we
 * call (DependencyError), or ours (anything else, a bug).
 *
 * `operational` errors are expected and answered (bad input, a dependency
 * that is down, a wrong setting); anything else is a bug and is logged with
 * its stack. `status` is the HTTP status we answer with.
 */
export interface AppErrorOptions {
  status?: number;
  operational?: boolean;
  cause?: unknown;
}

const HTTP_INTERNAL_SERVER_ERROR = 500;
const HTTP_BAD_REQUEST = 400;
const HTTP_BAD_GATEWAY = 502;
const HTTP_REQUEST_TIMEOUT = 408;
const HTTP_TOO_MANY_REQUESTS = 429;

export class AppError extends Error {
  readonly status: number;
  readonly operational: boolean;

  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.status = options.status ?? HTTP_INTERNAL_SERVER_ERROR;
    this.operational = options.operational ?? true;
  }
}

/** The caller sent something we cannot accept; the message is safe to show them. */
export class UserInputError extends AppError {
  constructor(message: string, options: Omit<AppErrorOptions, 'status'> = {}) {
    super(message, { ...options, status: HTTP_BAD_REQUEST });
  }
}

/**
 * The configuration or environment is wrong; the message lists every problem
 * and how to fix it. The operator's to fix, not a bug: it is answered by
 * printing the message and exiting, without a stack.
 */
export class ConfigError extends AppError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

export interface DependencyErrorOptions {
  /** The HTTP status the dependency answered with, when it answered at all. */
  upstreamStatus?: number | undefined;
  /** Whether trying again can help; when not given, it follows from `upstreamStatus`. */
  retryable?: boolean;
  cause?: unknown;
}

/**
 * Something we call (the realtime model, Twilio) failed or refused. Callers
 * of the adapter read `retryable` to decide whether another attempt can help.
 * Unless told otherwise, an answer with a status is retryable as HTTP says
 * (isRetryableStatus); no answer at all (a timeout, a refused or lost
 * connection) is worth another try. Answered 502: not the caller's fault.
 */
export class DependencyError extends AppError {
  readonly upstreamStatus: number | undefined;
  readonly retryable: boolean;

  constructor(message: string, options: DependencyErrorOptions = {}) {
    super(message, { status: HTTP_BAD_GATEWAY, cause: options.cause });
    this.upstreamStatus = options.upstreamStatus;
    this.retryable =
      options.retryable ?? (options.upstreamStatus === undefined || isRetryableStatus(options.upstreamStatus));
  }
}

/** A 4xx says the request itself was wrong, so repeating it cannot help; but 408 (timeout) and 429 (rate) can. */
function isRetryableStatus(status: number): boolean {
  if (status === HTTP_REQUEST_TIMEOUT || status === HTTP_TOO_MANY_REQUESTS) return true;
  return status < HTTP_BAD_REQUEST || status >= HTTP_INTERNAL_SERVER_ERROR;
}

import { DependencyError } from '../errors.ts';

/**
 * What the outbox worker needs from an SMS provider. The Twilio adapter is
 * the only implementation; tests reach it through nock or the local Twilio
 * stand-in, never through a fake of this interface.
 */

export interface OutgoingSms {
  readonly to: string;
  readonly body: string;
  /** Where the provider reports delivery (our signed /twilio/sms/status). */
  readonly statusCallback: string;
}

export interface SmsSender {
  /** Resolves with the provider's message id once it accepted the message; rejects with a SendError otherwise. */
  send(sms: OutgoingSms): Promise<{ readonly messageSid: string }>;
  /**
   * A message to `to` with exactly this body created since `since`, if the
   * provider has one: the way to learn that a send whose answer was lost
   * (a timeout, a crash) did go through.
   */
  findSent(to: string, body: string, since: Date): Promise<string | undefined>;
}

/** Why a send did not go through, sorted by what the worker should do next. */
export type SendFailure =
  /** Retrying cannot help (opted out, invalid or landline number): the row fails with this reason. */
  | { readonly kind: 'permanent'; readonly code: number | undefined; readonly reason: string }
  /** Too many requests: wait at least `retryAfterMs` (when the provider said) and try again. */
  | { readonly kind: 'rate-limited'; readonly retryAfterMs: number | undefined; readonly reason: string }
  /**
   * A server error, a timeout or a lost connection. `mayHaveBeenAccepted`:
   * the request may have reached the provider, so look for the message
   * before sending again.
   */
  | { readonly kind: 'transient'; readonly mayHaveBeenAccepted: boolean; readonly reason: string };

/**
 * A send or lookup the provider did not answer as we asked. `retryable` is
 * false only for a permanent failure; the worker reads `failure` where it
 * needs more than that (a rate limit's wait, a send that may have been
 * accepted, the error code to store).
 */
export class SendError extends DependencyError {
  readonly failure: SendFailure;

  constructor(failure: SendFailure, options: ErrorOptions = {}) {
    super(failure.reason, { retryable: failure.kind !== 'permanent', cause: options.cause });
    this.failure = failure;
  }
}

import type { Logger } from 'pino';
import type { CallPhase, CallRepository } from '../store/call-repository.ts';

/**
 * Where a call on the AI path is, for the staff live page (docs/staff-console.md): greeting from the stream's
 * start, collecting once the caller speaks or an answer is saved, read-back once the agent has the whole
 * application to read back. Written only when it changes (a few times a call, never per frame), one write after
 * the other so they land in order; a failed write is logged and the call goes on.
 */
export class CallPhases {
  readonly #calls: Pick<CallRepository, 'recordPhase'>;
  readonly #callSid: string;
  readonly #log: Logger;
  #current: CallPhase | undefined;
  #writes: Promise<void> = Promise.resolve();

  constructor(calls: Pick<CallRepository, 'recordPhase'>, callSid: string, logger: Logger) {
    this.#calls = calls;
    this.#callSid = callSid;
    this.#log = logger;
  }

  enter(phase: CallPhase): void {
    if (phase === this.#current) return;
    this.#current = phase;
    this.#writes = this.#writes
      .then(() => this.#calls.recordPhase(this.#callSid, phase))
      .catch((error: unknown) => {
        this.#log.warn({ err: error, phase }, 'could not record the call phase; the call goes on');
      });
  }

  /** The caller spoke: after the greeting they are answering questions (a read-back in progress stays one). */
  callerSpoke(): void {
    if (this.#current === 'greeting' || this.#current === undefined) this.enter('collecting');
  }

  /** Resolves when every phase written so far is in (or failed and was logged). */
  settled(): Promise<void> {
    return this.#writes;
  }
}

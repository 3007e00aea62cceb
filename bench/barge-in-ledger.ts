import { elapsedMs } from './frame-stamp.ts';
import type { BargeInFigures } from './side-by-side.ts';
import { summarizeLatency } from './stream-ledger.ts';

/**
 * The barge-in run's book-keeping, on the bench's one clock
 * (process.hrtime): when the model stand-in sent each call's
 * `input_audio_buffer.speech_started`, and when the service's answers to it
 * arrived: Twilio `clear` at the caller, `conversation.item.truncate` at the
 * stand-in. Only the first answer of each kind to each speech_started counts.
 */

interface Pending {
  readonly startedNs: bigint;
  clearedNs: bigint | undefined;
  truncatedNs: bigint | undefined;
}

export class BargeInLedger {
  readonly #pending = new Map<number, Pending>();
  readonly #toClear: number[] = [];
  readonly #toTruncate: number[] = [];
  #bargeIns = 0;
  #unanswered = 0;

  speechStarted(callIndex: number, sentNs: bigint): void {
    this.#settle(callIndex);
    this.#bargeIns += 1;
    this.#pending.set(callIndex, { startedNs: sentNs, clearedNs: undefined, truncatedNs: undefined });
  }

  cleared(callIndex: number, receivedNs: bigint): void {
    const p = this.#pending.get(callIndex);
    if (p === undefined || p.clearedNs !== undefined) return;
    p.clearedNs = receivedNs;
    this.#toClear.push(elapsedMs(p.startedNs, receivedNs));
  }

  truncated(callIndex: number, receivedNs: bigint): void {
    const p = this.#pending.get(callIndex);
    if (p === undefined || p.truncatedNs !== undefined) return;
    p.truncatedNs = receivedNs;
    this.#toTruncate.push(elapsedMs(p.startedNs, receivedNs));
  }

  summary(calls: number): BargeInFigures {
    for (const callIndex of [...this.#pending.keys()]) this.#settle(callIndex);
    return {
      calls,
      bargeIns: this.#bargeIns,
      toClear: summarizeLatency(Float64Array.from(this.#toClear)),
      toTruncate: summarizeLatency(Float64Array.from(this.#toTruncate)),
      unanswered: this.#unanswered,
    };
  }

  #settle(callIndex: number): void {
    const p = this.#pending.get(callIndex);
    if (p === undefined) return;
    if (p.clearedNs === undefined || p.truncatedNs === undefined) this.#unanswered += 1;
    this.#pending.delete(callIndex);
  }
}

import type { CallTimers } from '../../src/call/caller-silence.ts';

/** CallTimers on a clock the test moves itself: `advance` runs what falls due, in order. */
export class FakeTimers implements CallTimers {
  now = 0;
  readonly #due = new Map<number, { at: number; action: () => void }>();
  #next = 0;

  set(ms: number, action: () => void): unknown {
    const handle = this.#next++;
    this.#due.set(handle, { at: this.now + ms, action });
    return handle;
  }

  clear(handle: unknown): void {
    this.#due.delete(handle as number);
  }

  get pending(): number {
    return this.#due.size;
  }

  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const [handle, next] = [...this.#due.entries()].sort((a, b) => a[1].at - b[1].at)[0] ?? [];
      if (handle === undefined || next === undefined || next.at > until) break;
      this.#due.delete(handle);
      this.now = next.at;
      next.action();
    }
    this.now = until;
  }
}

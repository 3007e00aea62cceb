import type { RecordingStore } from '../../src/recording/recording-store.ts';

/**
 * A RecordingStore in memory that counts how it is read: tests use it to show that a recording is read by
 * ranges, never whole. (Our own port, not a vendor's: the local directory store is tested on disk.)
 */
export class MemoryRecordingStore implements RecordingStore {
  readonly #objects = new Map<string, Buffer>();
  /** Every read, in order: where it started and how many bytes it asked for. */
  readonly reads: { readonly start: number; readonly length: number }[] = [];

  async put(key: string, parts: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<void> {
    const collected: Uint8Array[] = [];
    for await (const part of parts) collected.push(part);
    this.#objects.set(key, Buffer.concat(collected));
  }

  size(key: string): Promise<number | undefined> {
    return Promise.resolve(this.#objects.get(key)?.length);
  }

  read(key: string, start: number, length: number): Promise<Buffer | undefined> {
    this.reads.push({ start, length });
    return Promise.resolve(this.#objects.get(key)?.subarray(start, start + length));
  }

  delete(key: string): Promise<boolean> {
    return Promise.resolve(this.#objects.delete(key));
  }

  /** The stored bytes, to inspect or alter (a copy: change it and put it back). */
  bytes(key: string): Buffer | undefined {
    const stored = this.#objects.get(key);
    return stored === undefined ? undefined : Buffer.from(stored);
  }
}

/**
 * A growable run of bytes: one channel of a call's mu-law audio, kept
 * compact (8 KB a second) until the call is written out. Grows by doubling,
 * so appending 160-byte frames for an hour copies each byte a few times at
 * most.
 */

const INITIAL_CAPACITY = 64 * 1024;

export class ByteTrack {
  #bytes = new Uint8Array(INITIAL_CAPACITY);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** The bytes so far (a view, valid until the next change). */
  view(): Uint8Array {
    return this.#bytes.subarray(0, this.#length);
  }

  append(bytes: Uint8Array): void {
    this.#reserve(this.#length + bytes.length);
    this.#bytes.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  /** Extends the track to `length` with `fill`; a track already that long is left alone. */
  padTo(length: number, fill: number): void {
    if (length <= this.#length) return;
    this.#reserve(length);
    this.#bytes.fill(fill, this.#length, length);
    this.#length = length;
  }

  /** Drops everything from `length` on. */
  truncate(length: number): void {
    this.#length = Math.min(this.#length, Math.max(0, length));
  }

  #reserve(capacity: number): void {
    if (capacity <= this.#bytes.length) return;
    let size = this.#bytes.length;
    while (size < capacity) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.view());
    this.#bytes = grown;
  }
}

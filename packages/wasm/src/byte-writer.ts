/** A growable byte buffer for writing wasm. */
export class ByteWriter {
  #bytes: Uint8Array;
  #length = 0;

  constructor(capacity = 1024) {
    this.#bytes = new Uint8Array(Math.max(16, capacity));
  }

  get length(): number {
    return this.#length;
  }

  #reserve(extra: number): void {
    const needed = this.#length + extra;
    if (needed <= this.#bytes.length) return;
    const grown = new Uint8Array(Math.max(needed, this.#bytes.length * 2));
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
  }

  byte(value: number): void {
    this.#reserve(1);
    this.#bytes[this.#length++] = value;
  }

  bytes(values: Uint8Array | readonly number[]): void {
    const n = values.length;
    this.#reserve(n);
    // A short run is faster copied by hand than through `set` (which is fastest for long runs).
    if (n < 16) {
      const b = this.#bytes;
      for (let i = 0; i < n; i++) b[this.#length + i] = values[i]!;
    } else this.#bytes.set(values, this.#length);
    this.#length += n;
  }

  /** Appends `source[from, to)` (no view is made). */
  range(source: Uint8Array, from: number, to: number): void {
    const n = to - from;
    this.#reserve(n);
    const b = this.#bytes;
    if (n < 16) for (let i = 0; i < n; i++) b[this.#length + i] = source[from + i]!;
    else b.set(source.subarray(from, to), this.#length);
    this.#length += n;
  }

  /** Appends an unsigned LEB128 number. */
  unsigned(value: number): void {
    this.#reserve(8);
    const b = this.#bytes;
    while (value >= 0x80) {
      b[this.#length++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    b[this.#length++] = value;
  }

  /** Appends a non-negative i32 as a 5-byte (padded) signed LEB128, to be patched later. */
  paddedSigned32(value: number): number {
    const at = this.#length;
    this.#reserve(5);
    this.#length += 5;
    this.patchPaddedSigned32(at, value);
    return at;
  }

  /** Rewrites a 5-byte signed LEB128 written by {@link paddedSigned32}; `value` in [0, 2^31). */
  patchPaddedSigned32(at: number, value: number): void {
    const b = this.#bytes;
    b[at] = (value & 0x7f) | 0x80;
    b[at + 1] = ((value >>> 7) & 0x7f) | 0x80;
    b[at + 2] = ((value >>> 14) & 0x7f) | 0x80;
    b[at + 3] = ((value >>> 21) & 0x7f) | 0x80;
    b[at + 4] = (value >>> 28) & 0x07;
  }

  /** Empties the writer (its buffer is kept for reuse). */
  reset(): void {
    this.#length = 0;
  }

  /** The bytes written so far (a view; copy before writing more). */
  view(): Uint8Array {
    return this.#bytes.subarray(0, this.#length);
  }
}

/**
 * The text Rust's `Utf8Error` displays for invalid UTF-8, or null when the bytes are valid:
 * `invalid utf-8 sequence of <n> bytes from index <i>`, or `incomplete utf-8 byte sequence from
 * index <i>` when the bytes end inside a sequence. `i` is the length of the valid prefix and `n`
 * the length of the invalid sequence, as Rust's validator measures them.
 */
export function rustUtf8Error(bytes: Uint8Array): string | null {
  const cont = (at: number) => at < bytes.length && (bytes[at]! & 0xc0) === 0x80;
  let i = 0;
  while (i < bytes.length) {
    const first = bytes[i]!;
    if (first < 0x80) {
      i += 1;
      continue;
    }
    const width = first >= 0xc2 && first <= 0xdf ? 2 : first >= 0xe0 && first <= 0xef ? 3 : first >= 0xf0 && first <= 0xf4 ? 4 : 0;
    const invalid = (length: number) => `invalid utf-8 sequence of ${length} bytes from index ${i}`;
    const incomplete = () => `incomplete utf-8 byte sequence from index ${i}`;
    if (width === 0) return invalid(1);
    if (i + 1 >= bytes.length) return incomplete();
    const second = bytes[i + 1]!;
    // The second byte's range depends on the first (no overlongs, no surrogates, ≤ U+10FFFF).
    const [low, high] =
      first === 0xe0 ? [0xa0, 0xbf] : first === 0xed ? [0x80, 0x9f] : first === 0xf0 ? [0x90, 0xbf] : first === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    if (second < low || second > high) return invalid(1);
    for (let k = 2; k < width; k++) {
      if (i + k >= bytes.length) return incomplete();
      if (!cont(i + k)) return invalid(k);
    }
    i += width;
  }
  return null;
}

import { type HostTask, wait } from '../runtime/maybe-async.js';

/** Input bytes handled between two pauses (see {@link lossyUtf8JsonString}). */
export const JSON_SLICE_BYTES = 4 * 1024 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HEX = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
/** JSON.stringify's short escapes: \b \t \n \f \r (the other controls become \u00XX). */
const SHORT_ESCAPES: Record<number, number> = { 0x08: 0x62, 0x09: 0x74, 0x0a: 0x6e, 0x0c: 0x66, 0x0d: 0x72 };

/** Where the WHATWG UTF-8 decoder is between two slices; indexes are into the whole input. */
interface DecoderState {
  needed: number;
  seen: number;
  lower: number;
  upper: number;
  /** Index of the first byte of the sequence being decoded. */
  start: number;
}

/**
 * The JSON string literal (quotes included) of `bytes` read as lossy UTF-8, as UTF-8 bytes:
 * exactly `encodeUtf8(JSON.stringify(decodeUtf8Lossy(bytes)))`, in one pass over the bytes and
 * without building a string (a response body may be tens of MiB). Between slices of
 * {@link JSON_SLICE_BYTES} it waits for `pause()`, so the host's timers (call deadlines) fire.
 * Returns the literal in parts.
 */
export function* lossyUtf8JsonString(
  bytes: Uint8Array,
  pause: (() => PromiseLike<void>) | null,
  sliceBytes = JSON_SLICE_BYTES,
): HostTask<Uint8Array[]> {
  const parts: Uint8Array[] = [Uint8Array.of(QUOTE)];
  const state: DecoderState = { needed: 0, seen: 0, lower: 0x80, upper: 0xbf, start: 0 };
  for (let from = 0; from < bytes.length; from += sliceBytes) {
    if (from > 0 && pause) yield* wait(pause());
    parts.push(encodeSlice(bytes, from, Math.min(bytes.length, from + sliceBytes), state));
  }
  // An incomplete sequence at the end is one U+FFFD.
  parts.push(state.needed === 0 ? Uint8Array.of(QUOTE) : Uint8Array.of(0xef, 0xbf, 0xbd, QUOTE));
  return parts;
}

function encodeSlice(bytes: Uint8Array, from: number, to: number, state: DecoderState): Uint8Array {
  const out = new Uint8Array(sliceCapacity(bytes, from, to));
  let o = 0;
  let { needed, seen, lower, upper, start } = state;
  for (let i = from; i < to; i++) {
    const byte = bytes[i]!;
    if (needed === 0) {
      if (byte < 0x80) {
        if (byte >= 0x20 && byte !== QUOTE && byte !== BACKSLASH) {
          out[o++] = byte;
        } else {
          out[o++] = BACKSLASH;
          const short = SHORT_ESCAPES[byte];
          if (byte === QUOTE || byte === BACKSLASH) out[o++] = byte;
          else if (short !== undefined) out[o++] = short;
          else {
            out[o++] = 0x75; // u00XX
            out[o++] = 0x30;
            out[o++] = 0x30;
            out[o++] = HEX[byte >> 4]!;
            out[o++] = HEX[byte & 15]!;
          }
        }
        continue;
      }
      start = i;
      if (byte >= 0xc2 && byte <= 0xdf) needed = 1;
      else if (byte >= 0xe0 && byte <= 0xef) {
        if (byte === 0xe0) lower = 0xa0;
        if (byte === 0xed) upper = 0x9f;
        needed = 2;
      } else if (byte >= 0xf0 && byte <= 0xf4) {
        if (byte === 0xf0) lower = 0x90;
        if (byte === 0xf4) upper = 0x8f;
        needed = 3;
      } else {
        o = replacement(out, o);
      }
      continue;
    }
    if (byte < lower || byte > upper) {
      // The sequence is broken: one U+FFFD, and this byte starts afresh.
      needed = seen = 0;
      lower = 0x80;
      upper = 0xbf;
      o = replacement(out, o);
      i--;
      continue;
    }
    lower = 0x80;
    upper = 0xbf;
    if (++seen < needed) continue;
    // A whole valid sequence: its bytes as they are (the first may be in the previous slice).
    for (let k = start; k <= i; k++) out[o++] = bytes[k]!;
    needed = seen = 0;
  }
  Object.assign(state, { needed, seen, lower, upper, start });
  return out.subarray(0, o);
}

/**
 * An upper bound of a slice's output: a control character or quote becomes at most 6 bytes
 * (\u00XX), any other byte at most 3 (one U+FFFD each), plus a sequence carried over from
 * the last slice and one U+FFFD. Counted first so that one array of about the right size is
 * allocated instead of six times the slice.
 */
function sliceCapacity(bytes: Uint8Array, from: number, to: number): number {
  let extra = 0;
  for (let i = from; i < to; i++) {
    const byte = bytes[i]!;
    if (byte < 0x20 || byte === QUOTE || byte === BACKSLASH) extra += 5;
    else if (byte >= 0x80) extra += 2;
  }
  return to - from + extra + 8;
}

function replacement(out: Uint8Array, o: number): number {
  out[o] = 0xef;
  out[o + 1] = 0xbf;
  out[o + 2] = 0xbd;
  return o + 3;
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runTask } from '../runtime/maybe-async.js';
import { lossyUtf8JsonString } from './lossy-json-bytes.js';

const concat = (parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const viaStrings = (bytes: Uint8Array) => new TextEncoder().encode(JSON.stringify(new TextDecoder().decode(bytes)));
const direct = (bytes: Uint8Array, slice: number) => concat(runTask(lossyUtf8JsonString(bytes, null, slice)) as Uint8Array[]);

describe('lossyUtf8JsonString (the body of the HTTP output, item 15.6)', () => {
  it('equals JSON.stringify of the lossy text, for any bytes and any slice size', () => {
    const utf8ish = fc.array(
      fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x80, 0xbf, 0xc2, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0x22, 0x5c, 0x0a, 0x7f)),
      { maxLength: 64 },
    );
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), utf8ish.map((a) => Uint8Array.from(a)), fc.string({ unit: 'binary' }).map((s) => new TextEncoder().encode(s))), fc.integer({ min: 1, max: 9 }), (bytes, slice) => {
        expect(direct(bytes, slice)).toEqual(viaStrings(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['empty', []],
    ['escapes', [0x22, 0x5c, 0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x00, 0x1f, 0x7f]],
    ['truncated 4-byte sequence at the end', [0x61, 0xf0, 0x9f, 0x98]],
    ['surrogate encoded in UTF-8', [0xed, 0xa0, 0x80]],
    ['overlong', [0xc0, 0xaf, 0xe0, 0x80, 0xaf]],
    ['U+2028 and emoji', [0xe2, 0x80, 0xa8, 0xf0, 0x9f, 0x98, 0x80]],
  ])('%s', (_name, list) => {
    const bytes = Uint8Array.from(list);
    for (const slice of [1, 2, 3, 100]) expect(direct(bytes, slice)).toEqual(viaStrings(bytes));
  });
});

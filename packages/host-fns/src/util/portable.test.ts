import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64Strict, encodeBase64 } from './base64.js';
import { sha256Hex } from './sha256.js';
import { utf8ByteLength } from './utf8.js';

// These replace Node's crypto and Buffer so the package runs in browsers: Node is the oracle.
describe('portable helpers agree with Node', () => {
  it('sha256Hex matches node:crypto for any bytes, block boundaries included', () => {
    for (const size of [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000]) {
      const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 31 + 7) & 0xff);
      expect(sha256Hex(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => sha256Hex(bytes) === createHash('sha256').update(bytes).digest('hex')),
    );
  });

  it('sha256Hex reads only its view of a shared buffer', () => {
    const backing = Uint8Array.from({ length: 100 }, (_, i) => i);
    const view = backing.subarray(10, 80);
    expect(sha256Hex(view)).toBe(createHash('sha256').update(view).digest('hex'));
  });

  it('base64 encodes as Buffer does and decodes its own output', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = encodeBase64(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64'));
        expect(decodeBase64Strict(text)).toEqual(bytes);
      }),
    );
  });

  it('base64 refuses what a lenient decoder would accept', () => {
    for (const text of ['aGl=', 'aGVsbG9=', 'aR==', 'YQ', 'Y Q==', 'YQ==YQ==']) {
      expect(() => decodeBase64Strict(text), text).toThrow(/invalid base64/);
    }
  });

  it('utf8ByteLength counts as Buffer.byteLength does, lone surrogates included', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => utf8ByteLength(text) === Buffer.byteLength(text)));
    expect(utf8ByteLength('\ud800x\udc00')).toBe(Buffer.byteLength('\ud800x\udc00'));
  });
});

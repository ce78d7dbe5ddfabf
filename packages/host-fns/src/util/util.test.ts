import { describe, expect, it } from 'vitest';
import { decodeBase64Strict, encodeBase64 } from './base64.js';
import { sortedJson, sortedJsonPretty } from './json.js';

describe('strict base64 (§4.1, AB-H15)', () => {
  it.each(['', 'aA==', 'aGk=', 'aGVsbG8=', 'AAEC/w=='])('decodes %j and re-encodes it identically', (text) => {
    expect(encodeBase64(decodeBase64Strict(text))).toBe(text);
  });

  it.each(['aGk', 'aG k=', 'aGk=\n', 'a-_=', 'aGl=', '====', 'a'])('rejects %j', (text) => {
    expect(() => decodeBase64Strict(text)).toThrow(/invalid base64/);
  });
});

describe('sortedJson (§3.1)', () => {
  it('sorts object keys recursively by code point, keeps arrays in order, drops undefined', () => {
    expect(sortedJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined }, B: 0, é: 1 })).toBe('{"B":0,"a":{"d":[{"y":2,"z":1}]},"b":1,"é":1}');
  });

  it('pretty: 2-space indent, no trailing newline', () => {
    expect(sortedJsonPretty({ b: 1, a: [1] })).toBe('{\n  "a": [\n    1\n  ],\n  "b": 1\n}');
  });
});

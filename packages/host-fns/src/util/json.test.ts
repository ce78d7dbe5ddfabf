import { describe, expect, it } from 'vitest';
import { sortedJson, sortedJsonPretty, sortKeys } from './json.js';

describe('sortKeys', () => {
  it('sorts keys by code point, recursively, and drops undefined values', () => {
    expect(sortedJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined }, é: 0, e: 0 })).toBe('{"a":{"d":[{"y":2,"z":1}]},"b":1,"e":0,"é":0}');
  });

  it('issue 30: a __proto__ key is data: kept as a key, never the prototype of the copy', () => {
    const parsed = JSON.parse('{"b":1,"__proto__":{"polluted":true},"a":{"__proto__":[1]}}') as unknown;
    expect(sortedJson(parsed)).toBe('{"__proto__":{"polluted":true},"a":{"__proto__":[1]},"b":1}');
    expect(sortedJsonPretty(parsed)).toContain('"__proto__": {');
    const copy = sortKeys(parsed) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect((copy as { polluted?: unknown }).polluted).toBeUndefined();
  });
});

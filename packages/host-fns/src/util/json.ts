/**
 * Compact JSON with object keys sorted by UTF-16 code unit, recursively: what the Rust host's
 * serde_json (built without `preserve_order`) emits for generic JSON values.
 */
export function sortedJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** The same as {@link sortedJson} but pretty (2-space indent), as Rust writes `config.json`. */
export function sortedJsonPretty(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2);
}

/**
 * Returns a copy of `value` whose plain objects have their keys in sorted order. Keys are data:
 * a `__proto__` key (which `JSON.parse` makes an own key) stays a key of the copy.
 */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const source = value as Record<string, unknown>;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(source).sort(compareKeys)) {
      // Defined, not assigned: `sorted['__proto__'] = …` would set the copy's prototype instead.
      if (source[key] !== undefined) Object.defineProperty(sorted, key, { value: sortKeys(source[key]), enumerable: true, writable: true, configurable: true });
    }
    return sorted;
  }
  return value;
}

// Byte order of UTF-8 equals code-point order; compare by code points, not UTF-16 units.
function compareKeys(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/**
 * A tiny validator for host-function inputs with serde's rules (§3.1 of the protocol): required
 * fields must be present with the right type (`null` is not accepted), optional fields may be
 * absent or null, unknown fields are ignored.
 */
export interface Field<T> {
  readonly optional: boolean;
  parse(value: unknown, name: string): T;
}

/** Thrown for input that does not match; the message follows serde's wording loosely. */
export class InputShapeError extends Error {}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'sequence';
  if (typeof value === 'object') return 'map';
  if (typeof value === 'number') return `integer \`${value}\``;
  return typeof value === 'string' ? `string ${JSON.stringify(value)}` : typeof value;
}

function invalid(value: unknown, expected: string, name: string): never {
  throw new InputShapeError(`invalid type: ${typeName(value)}, expected ${expected} (field \`${name}\`)`);
}

function field<T>(optional: boolean, parse: (value: unknown, name: string) => T): Field<T> {
  return { optional, parse };
}

/** A required string. */
const STR = field(false, (v, n) => (typeof v === 'string' ? v : invalid(v, 'a string', n)));
export const str = (): Field<string> => STR;

/** An optional string (absent or null → null). */
const OPT_STR = field(true, (v, n) => (v === undefined || v === null ? null : typeof v === 'string' ? v : invalid(v, 'a string', n)));
export const optStr = (): Field<string | null> => OPT_STR;

/** A string with a default when absent (null is an error, as in serde). */
export const strOr = (fallback: string): Field<string> =>
  field(true, (v, n) => (v === undefined ? fallback : typeof v === 'string' ? v : invalid(v, 'a string', n)));

/** An optional unsigned integer (u64). */
export const optU64 = (): Field<number | null> =>
  field(true, (v, n) => {
    if (v === undefined || v === null) return null;
    return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : invalid(v, 'u64', n);
  });

/** An optional boolean (absent or null → null). */
const OPT_BOOL = field(true, (v, n) => (v === undefined || v === null ? null : typeof v === 'boolean' ? v : invalid(v, 'a boolean', n)));
export const optBool = (): Field<boolean | null> => OPT_BOOL;

/** A required array of strings. */
export const strArray = (): Field<string[]> =>
  field(false, (v, n) => {
    if (!Array.isArray(v)) return invalid(v, 'a sequence', n);
    return v.map((item) => (typeof item === 'string' ? item : invalid(item, 'a string', n)));
  });

/** An optional array of strings (absent or null → null). */
export const optStrArray = (): Field<string[] | null> =>
  field(true, (v, n) => (v === undefined || v === null ? null : strArray().parse(v, n)));

/** A required map of string to string. */
export const strMap = (): Field<Record<string, string>> =>
  field(false, (v, n) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return invalid(v, 'a map', n);
    const out: Record<string, string> = {};
    for (const [key, item] of Object.entries(v)) out[key] = typeof item === 'string' ? item : invalid(item, 'a string', n);
    return out;
  });

/** An optional map of string to string (absent or null → null). */
export const optStrMap = (): Field<Record<string, string> | null> =>
  field(true, (v, n) => (v === undefined || v === null ? null : strMap().parse(v, n)));

/** Any JSON value; absent → null. */
const ANY_JSON = field(true, (v) => (v === undefined ? null : v));
export const anyJson = (): Field<unknown> => ANY_JSON;

type Shape = Record<string, Field<unknown>>;
/** The parsed object of a shape. */
export type Parsed<S extends Shape> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never };

/** Parses JSON text into the shape. @throws InputShapeError or SyntaxError */
export function parseShape<S extends Shape>(text: string, shape: S): Parsed<S> {
  const value: unknown = JSON.parse(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputShapeError(`invalid type: ${typeName(value)}, expected a struct`);
  }
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  // for…in over the shape (an object literal of fields) allocates nothing, unlike Object.entries.
  for (const name in shape) {
    const spec = shape[name]!;
    const present = Object.hasOwn(source, name);
    if (!present && !spec.optional) throw new InputShapeError(`missing field \`${name}\``);
    out[name] = spec.parse(present ? source[name] : undefined, name);
  }
  return out as Parsed<S>;
}

/**
 * A small typed reader for guest JSON with serde's rules (§3.1): required fields must be present
 * and of the right type (`null` included only where a field is optional); a defaulted field may be
 * absent but not `null`; optional fields read absent or `null` as null; unknown fields are ignored.
 * A problem throws {@link ElementFieldError} naming the field's path.
 */

/** Reads one JSON value at a field path. */
export type Reader<T> = (value: unknown, path: string) => T;

/** A field that does not have the protocol's shape: `field` is its path (`insert_command.placement`). */
export class ElementFieldError extends Error {
  override readonly name = 'ElementFieldError';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(field === '' ? reason : `field ${field}: ${reason}`);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a sequence';
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  if (typeof value === 'number') return Number.isInteger(value) ? `integer \`${value}\`` : `floating point \`${value}\``;
  if (typeof value === 'boolean') return `boolean \`${value}\``;
  return 'a map';
}

const invalid = (value: unknown, path: string, expected: string): never => {
  throw new ElementFieldError(path, `invalid type: ${describe(value)}, expected ${expected}`);
};
const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);
const isMap = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const has = (obj: object, key: string) => Object.prototype.hasOwnProperty.call(obj, key);

export const string: Reader<string> = (v, p) => (typeof v === 'string' ? v : invalid(v, p, 'a string'));
export const boolean: Reader<boolean> = (v, p) => (typeof v === 'boolean' ? v : invalid(v, p, 'a boolean'));
export const float: Reader<number> = (v, p) => (typeof v === 'number' ? v : invalid(v, p, 'f64'));
export const anyJson: Reader<unknown> = (v) => v;
/** Rust `char`: a string of exactly one Unicode scalar value. */
export const char: Reader<string> = (v, p) => (typeof v === 'string' && [...v].length === 1 ? v : invalid(v, p, 'a character'));

/** A unit enum written as its variant name. */
export function variant<T extends string>(...names: readonly T[]): Reader<T> {
  return (v, p) => {
    if (typeof v !== 'string') return invalid(v, p, 'a variant name');
    if ((names as readonly string[]).includes(v)) return v as T;
    throw new ElementFieldError(p, `unknown variant \`${v}\`, expected one of ${names.map((n) => `\`${n}\``).join(', ')}`);
  };
}

export function list<T>(item: Reader<T>): Reader<T[]> {
  return (v, p) => (Array.isArray(v) ? v.map((x, i) => item(x, `${p}[${i}]`)) : invalid(v, p, 'a sequence'));
}

/** How a struct field is read: required, optional (absent or null → null) or with a default. */
export type Field<T> = { kind: 'required'; read: Reader<T> } | { kind: 'optional'; read: Reader<unknown> } | { kind: 'default'; read: Reader<T>; value: () => T };

export const required = <T>(read: Reader<T>): Field<T> => ({ kind: 'required', read });
export const optional = <T>(read: Reader<T>): Field<T | null> => ({ kind: 'optional', read });
export const withDefault = <T>(read: Reader<T>, value: () => T): Field<T> => ({ kind: 'default', read, value });

/** A struct: each field read by its rule, in declaration order; unknown keys ignored. */
export function struct<T>(fields: { [K in keyof T]: Field<T[K]> }): Reader<T> {
  return (v, p) => {
    if (!isMap(v)) return invalid(v, p, 'a struct');
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(fields) as Array<[string, Field<unknown>]>) {
      const at = join(p, key);
      if (!has(v, key)) {
        if (field.kind === 'required') throw new ElementFieldError(p, `missing field \`${key}\``);
        out[key] = field.kind === 'default' ? field.value() : null;
      } else if (field.kind === 'optional' && v[key] === null) out[key] = null;
      else out[key] = field.read(v[key], at);
    }
    return out as T;
  };
}

/** An internally tagged enum (`{"<tag>": "<Variant>", …fields}`); the output keeps the tag first. */
export function tagged<T>(tag: string, variants: Record<string, Reader<object>>): Reader<T> {
  const names = Object.keys(variants);
  return (v, p) => {
    if (!isMap(v)) return invalid(v, p, `an object tagged by \`${tag}\``);
    if (!has(v, tag)) throw new ElementFieldError(p, `missing field \`${tag}\``);
    const name = variant(...names)(v[tag], join(p, tag));
    return { [tag]: name, ...variants[name]!(v, p) } as T;
  };
}

/** An externally tagged enum: unit variants as strings, struct variants as `{"<Variant>": {…}}`. */
export function external<T>(units: readonly string[], structs: Record<string, Reader<object>>): Reader<T> {
  const names = [...units, ...Object.keys(structs)];
  return (v, p) => {
    if (typeof v === 'string') {
      if (units.includes(v)) return v as T;
      if (v in structs) return invalid(v, p, `struct variant ${v}`);
      return variant(...names)(v, p) as T;
    }
    if (!isMap(v) || Object.keys(v).length !== 1) return invalid(v, p, `one of ${names.join(', ')}`);
    const [name] = Object.keys(v) as [string];
    const read = structs[name];
    if (read === undefined) return variant(...Object.keys(structs))(name, p) as T;
    return { [name]: read(v[name], join(p, name)) } as T;
  };
}

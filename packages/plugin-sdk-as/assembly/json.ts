import { JSON } from "assemblyscript-json/assembly";
import { isValidJson } from "./json-validate";

/** A JSON string literal (quotes included) for any text. */
export function jsonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c == 0x22) out += '\\"';
    else if (c == 0x5c) out += "\\\\";
    else if (c == 0x0a) out += "\\n";
    else if (c == 0x0d) out += "\\r";
    else if (c == 0x09) out += "\\t";
    else if (c < 0x20) out += "\\u00" + (c < 0x10 ? "0" : "") + c.toString(16);
    else out += String.fromCharCode(c);
  }
  return out + '"';
}

/** Parses JSON text; null when it is not JSON (validated first: never aborts). */
export function parseJson(text: string): JSON.Value | null {
  if (!isValidJson(text)) return null;
  return JSON.parse(text);
}

/** A string field of an object, or "" when it is absent or not a string. */
export function stringField(obj: JSON.Obj | null, key: string): string {
  if (obj === null) return "";
  const value = obj.getString(key);
  if (value === null) return "";
  return value.valueOf();
}

/** An integer field of an object, or `fallback`. */
export function intField(obj: JSON.Obj | null, key: string, fallback: i64): i64 {
  if (obj === null) return fallback;
  const value = obj.getInteger(key);
  if (value === null) return fallback;
  return value.valueOf();
}

/** A boolean field of an object, or `fallback`. */
export function boolField(obj: JSON.Obj | null, key: string, fallback: bool): bool {
  if (obj === null) return fallback;
  const value = obj.getBool(key);
  if (value === null) return fallback;
  return value.valueOf();
}

/** An object field, or null. */
export function objField(obj: JSON.Obj | null, key: string): JSON.Obj | null {
  if (obj === null) return null;
  return obj.getObj(key);
}

/** The strings of a JSON array text (non-strings skipped). */
export function stringArray(text: string): string[] {
  const out = new Array<string>();
  const parsed = parseJson(text);
  if (parsed === null || !parsed.isArr) return out;
  const items = (<JSON.Arr>parsed).valueOf();
  for (let i = 0; i < items.length; i++) {
    if (items[i].isString) out.push((<JSON.Str>items[i]).valueOf());
  }
  return out;
}

/** Builds a JSON object text field by field: `new JsonObject().str("a", "x").int("n", 1).toString()`. */
export class JsonObject {
  private parts: string[] = [];

  str(key: string, value: string): JsonObject {
    this.parts.push(jsonString(key) + ":" + jsonString(value));
    return this;
  }

  int(key: string, value: i64): JsonObject {
    this.parts.push(jsonString(key) + ":" + value.toString());
    return this;
  }

  bool(key: string, value: bool): JsonObject {
    this.parts.push(jsonString(key) + ":" + (value ? "true" : "false"));
    return this;
  }

  /** A field whose value is already JSON text. */
  raw(key: string, json: string): JsonObject {
    this.parts.push(jsonString(key) + ":" + json);
    return this;
  }

  toString(): string {
    return "{" + this.parts.join(",") + "}";
  }
}

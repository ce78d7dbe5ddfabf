// The checks serde_json makes and `JSON.parse` does not, for guest JSON the kit keeps.

/**
 * The deepest nesting of arrays and objects serde_json accepts: its recursion limit of 128 counts
 * down at every `[` or `{` entered and fails when it reaches 0, so 127 levels parse and the 128th
 * fails. It applies to what is deserialised (typed fields and `serde_json::Value`s); the values of
 * ignored unknown fields are skipped without a limit, and the kit drops those anyway.
 */
export const SERDE_JSON_MAX_NESTING = 127;

/** How deeply arrays and objects nest in a parsed value (a scalar is 0), counted up to `stopAbove + 1`. */
export function nestingDepth(value: unknown, stopAbove = SERDE_JSON_MAX_NESTING): number {
  let deepest = 0;
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (current === null || typeof current !== 'object') continue;
    const here = depth + 1;
    if (here > deepest) deepest = here;
    if (deepest > stopAbove) return deepest;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (child !== null && typeof child === 'object') pending.push([child, here]);
    }
  }
  return deepest;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The first string (or object key) of a parsed value holding a lone UTF-16 surrogate, which only a
 * `\ud800`-style escape can produce and serde_json refuses; null when there is none.
 */
export function findLoneSurrogate(value: unknown): string | null {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const current = pending.pop();
    if (typeof current === 'string') {
      if (LONE_SURROGATE.test(current)) return current;
    } else if (current !== null && typeof current === 'object') {
      if (Array.isArray(current)) pending.push(...current);
      else for (const [key, child] of Object.entries(current)) pending.push(key, child);
    }
  }
  return null;
}

/** Where a value sits in a JSON document: object keys and array indexes from the root. */
export type JsonPath = ReadonlyArray<string | number>;

/** What {@link scanJsonText} reports. */
export interface JsonScanVisitor {
  /** A key of the object at `objectPath`; `objectId` tells objects apart (duplicates are reported too). */
  key(objectPath: JsonPath, key: string, objectId: number): void;
  /** A number at `path`, as written (`1.0` stays `1.0`). */
  number(path: JsonPath, raw: string): void;
}

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const NUMBER_CHAR = /[0-9eE+\-.]/;

/**
 * Walks JSON text that `JSON.parse` already accepted, reporting every object key (duplicates
 * included, which `JSON.parse` drops) and every number as written, down to `maxDepth` levels.
 */
export function scanJsonText(text: string, visitor: JsonScanVisitor, maxDepth = 8): void {
  const path: Array<string | number> = [];
  const frames: Array<{ array: boolean; id: number }> = [];
  let objects = 0;
  let expectKey = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (isSpace(c) || c === ':') {
      i++;
    } else if (c === '{' || c === '[') {
      frames.push({ array: c === '[', id: objects++ });
      path.push(c === '[' ? 0 : '');
      expectKey = c === '{';
      i++;
    } else if (c === '}' || c === ']') {
      frames.pop();
      path.pop();
      expectKey = false;
      i++;
    } else if (c === ',') {
      const top = frames.at(-1)!;
      if (top.array) path[path.length - 1] = (path.at(-1) as number) + 1;
      else expectKey = true;
      i++;
    } else if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        path[path.length - 1] = key;
        if (frames.length <= maxDepth) visitor.key(path.slice(0, -1), key, frames.at(-1)!.id);
        expectKey = false;
      }
      i = end + 1;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      let end = i + 1;
      while (end < text.length && NUMBER_CHAR.test(text[end]!)) end++;
      if (frames.length <= maxDepth) visitor.number(path, text.slice(i, end));
      i = end;
    } else {
      i++; // the letters of true, false, null
    }
  }
}

/**
 * Kit decision D17 (PROTOCOL.md §13): what a plugin id may be. Storage, secrets and permission
 * rules are keyed by `<id>:<key>`, so an empty id would read every plugin's keys and an id with
 * `:` would read another plugin's (`acme` + `notes:k` = `acme:notes` + `k`).
 */
export const PLUGIN_ID_RULE =
  'a plugin id is 1–128 characters of A–Z, a–z, 0–9, ".", "_" and "-", not starting or ending with "."';

const VALID_ID = /^(?!\.)[A-Za-z0-9._-]{1,128}(?<!\.)$/;

/** True when `id` follows {@link PLUGIN_ID_RULE} (e.g. `diaryx.daily`, `word-count`). */
export function isValidPluginId(id: string): boolean {
  return VALID_ID.test(id);
}

/**
 * The id a plugin's host functions use before its manifest is read (during the `manifest` call):
 * its folder name or file stem, as in Rust (AB-L9), when that is a valid id. Any other name is
 * percent-encoded (`%` is never in a valid id, and the result has no `:`), so it can neither
 * disable key scoping nor collide with another plugin's keys or rules; `""` becomes `"%"`.
 */
export function idBeforeManifest(name: string): string {
  if (isValidPluginId(name)) return name;
  if (name === '') return '%';
  const chars = [...name];
  let out = '';
  for (const [i, ch] of chars.entries()) {
    const keep = /^[A-Za-z0-9_-]$/.test(ch) || (ch === '.' && i > 0 && i < chars.length - 1);
    out += keep ? ch : [...new TextEncoder().encode(ch)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

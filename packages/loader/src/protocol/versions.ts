/** The newest plugin protocol this host speaks. */
export const CURRENT_PROTOCOL_VERSION = 1;
/** The oldest plugin protocol this host accepts. */
export const MIN_SUPPORTED_PROTOCOL_VERSION = 1;
/** The Diaryx version a plugin's `min_app_version` is compared with, unless the app passes its own. */
export const DEFAULT_APP_VERSION = '1.4.1';

const U32 = /^\+?[0-9]+$/;

function parseU32(part: string | undefined): number | null {
  if (part === undefined || !U32.test(part)) return null;
  const value = Number(part);
  return value <= 0xffff_ffff ? value : null;
}

/**
 * Rust's `parse_version`: `major.minor[.patch]`; the first two parts must be u32, the patch is
 * used only if it parses (else 0), later parts are ignored. `null` = unparsable.
 */
export function parseVersion(text: string): [number, number, number] | null {
  const parts = text.split('.');
  const major = parseU32(parts[0]);
  const minor = parseU32(parts[1]);
  if (major === null || minor === null) return null;
  return [major, minor, parseU32(parts[2]) ?? 0];
}

/** True when `running` ≥ `required`; false when either does not parse (Rust rejects those). */
export function appVersionSatisfies(required: string, running: string): boolean {
  const need = parseVersion(required);
  const have = parseVersion(running);
  if (!need || !have) return false;
  for (let i = 0; i < 3; i++) {
    if (have[i]! !== need[i]!) return have[i]! > need[i]!;
  }
  return true;
}

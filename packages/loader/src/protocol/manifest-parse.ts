import { PERMISSION_KEYS, type PermissionRule, type PluginPermissions } from '@diaryx/host-fns';
import { checkManifestText, checkManifestValue } from './manifest-strict.js';
import type { GuestManifest, GuestRequestedPermissions, ServerFunctionDecl } from './types.js';

/** Thrown when guest JSON does not have the protocol's shape; the message says where. */
export class ProtocolShapeError extends Error {
  override readonly name = 'ProtocolShapeError';
}

type Json = Record<string, unknown>;

function fail(path: string, expected: string, value: unknown): never {
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  throw new ProtocolShapeError(`${path}: expected ${expected}, got ${got}`);
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function has(obj: Json, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

function requiredString(obj: Json, key: string, path: string): string {
  if (!has(obj, key)) throw new ProtocolShapeError(`${path}: missing field \`${key}\``);
  const value = obj[key];
  return typeof value === 'string' ? value : fail(`${path}.${key}`, 'a string', value);
}

// serde: a defaulted field may be absent, but `null` is an error.
function stringList(obj: Json, key: string, path: string, required: boolean): string[] {
  if (!has(obj, key)) {
    if (required) throw new ProtocolShapeError(`${path}: missing field \`${key}\``);
    return [];
  }
  const value = obj[key];
  if (!Array.isArray(value)) return fail(`${path}.${key}`, 'an array of strings', value);
  return value.map((item, i) => (typeof item === 'string' ? item : fail(`${path}.${key}[${i}]`, 'a string', item)));
}

function anyList(obj: Json, key: string, path: string): unknown[] {
  if (!has(obj, key)) return [];
  const value = obj[key];
  return Array.isArray(value) ? value : fail(`${path}.${key}`, 'an array', value);
}

function parseRule(value: unknown, path: string): PermissionRule {
  if (!isObject(value)) return fail(path, 'a permission rule {include, exclude}', value);
  return { include: stringList(value, 'include', path, false), exclude: stringList(value, 'exclude', path, false) };
}

/** Parses a `PluginPermissions` object; unknown keys are dropped, as serde does. */
export function parsePluginPermissions(value: unknown, path: string): PluginPermissions {
  if (!isObject(value)) return fail(path, 'an object of permission rules', value);
  const permissions: PluginPermissions = {};
  for (const key of PERMISSION_KEYS) {
    if (has(value, key) && value[key] !== null) permissions[key] = parseRule(value[key], `${path}.${key}`);
  }
  return permissions;
}

function parseRequestedPermissions(value: unknown, path: string): GuestRequestedPermissions | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) return fail(path, 'an object {defaults, reasons}', value);
  const defaults = has(value, 'defaults') ? parsePluginPermissions(value['defaults'], `${path}.defaults`) : {};
  const reasons: Record<string, string> = {};
  if (has(value, 'reasons')) {
    const raw = value['reasons'];
    if (!isObject(raw)) return fail(`${path}.reasons`, 'an object of strings', raw);
    for (const [key, reason] of Object.entries(raw)) {
      reasons[key] = typeof reason === 'string' ? reason : fail(`${path}.reasons.${key}`, 'a string', reason);
    }
  }
  return { defaults, reasons };
}

function parseServerFunctions(obj: Json, path: string): ServerFunctionDecl[] {
  return anyList(obj, 'server_functions', path).map((entry, i) => {
    const at = `${path}.server_functions[${i}]`;
    if (!isObject(entry)) return fail(at, 'an object', entry);
    return {
      name: requiredString(entry, 'name', at),
      method: requiredString(entry, 'method', at),
      path: requiredString(entry, 'path', at),
      description: requiredString(entry, 'description', at),
    };
  });
}

function parseProtocolVersion(obj: Json): number {
  if (!has(obj, 'protocol_version')) return 1;
  const value = obj['protocol_version'];
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff) return value;
  return fail('manifest.protocol_version', 'an unsigned 32-bit integer', value);
}

/**
 * Parses a guest manifest with serde's rules (§3.1–3.2): required fields present and typed,
 * `null` only for optional fields, defaults for absent lists, unknown fields ignored; and, as
 * serde_json does, no duplicate struct field, no float for an integer, no lone surrogate, no
 * nesting past 127 levels (see manifest-strict.ts).
 * @throws SyntaxError for text that is not JSON, ProtocolShapeError for the wrong shape.
 */
export function parseGuestManifest(text: string): GuestManifest {
  const value: unknown = JSON.parse(text);
  if (!isObject(value)) return fail('manifest', 'a JSON object', value);
  checkManifestText(text);
  const path = 'manifest';
  const minApp = value['min_app_version'];
  if (minApp !== undefined && minApp !== null && typeof minApp !== 'string') {
    fail('manifest.min_app_version', 'a string', minApp);
  }
  const serverFunctions = parseServerFunctions(value, path);
  const manifest: GuestManifest = {
    protocol_version: parseProtocolVersion(value),
    id: requiredString(value, 'id', path),
    name: requiredString(value, 'name', path),
    version: requiredString(value, 'version', path),
    description: requiredString(value, 'description', path),
    capabilities: stringList(value, 'capabilities', path, true),
    ui: anyList(value, 'ui', path),
    commands: stringList(value, 'commands', path, false),
    cli: anyList(value, 'cli', path),
    requested_permissions: parseRequestedPermissions(value['requested_permissions'], `${path}.requested_permissions`),
    conversions: stringList(value, 'conversions', path, false),
  };
  if (typeof minApp === 'string') manifest.min_app_version = minApp;
  if (serverFunctions.length > 0) manifest.server_functions = serverFunctions;
  checkManifestValue(manifest);
  return manifest;
}

/**
 * The `manifest.json` text, byte for byte as Rust writes it: struct field order, pretty with a
 * 2-space indent, no trailing newline; generic JSON inside (`ui`, `cli`) with sorted keys.
 */
export function serializeManifest(manifest: GuestManifest, sortKeys: (v: unknown) => unknown): string {
  const ordered: Record<string, unknown> = {
    protocol_version: manifest.protocol_version,
    id: manifest.id,
    name: manifest.name,
    version: manifest.version,
    description: manifest.description,
    capabilities: manifest.capabilities,
    ui: sortKeys(manifest.ui),
    commands: manifest.commands,
    cli: sortKeys(manifest.cli),
    requested_permissions: manifest.requested_permissions && orderedPermissions(manifest.requested_permissions),
    conversions: manifest.conversions,
  };
  if (manifest.min_app_version !== undefined) ordered['min_app_version'] = manifest.min_app_version;
  if (manifest.server_functions && manifest.server_functions.length > 0) {
    ordered['server_functions'] = manifest.server_functions.map((f) => ({
      name: f.name,
      method: f.method,
      path: f.path,
      description: f.description,
    }));
  }
  return JSON.stringify(ordered, null, 2);
}

function orderedPermissions(requested: GuestRequestedPermissions): GuestRequestedPermissions {
  const defaults: PluginPermissions = {};
  for (const key of PERMISSION_KEYS) {
    const rule = requested.defaults[key];
    if (rule) defaults[key] = { include: rule.include, exclude: rule.exclude };
  }
  return { defaults, reasons: requested.reasons };
}

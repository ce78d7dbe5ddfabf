import type { PluginsConfig } from './rules.js';
import { PERMISSION_KEYS, type PermissionRule, type PluginPermissions } from './types.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function strings(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new Error(`${where}: expected a list of strings`);
  }
  return value as string[];
}

function rule(value: unknown, where: string): PermissionRule {
  if (!isObject(value)) throw new Error(`${where}: expected {include, exclude}`);
  return { include: strings(value['include'], `${where}.include`), exclude: strings(value['exclude'], `${where}.exclude`) };
}

/**
 * Validates a `plugins` config as Rust deserialises it (rules with string lists; unknown
 * permission keys ignored). Missing or null → `{}`.
 * @throws Error naming the first malformed place
 */
export function parsePluginsConfig(value: unknown): PluginsConfig {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new Error('plugins: expected a map of plugin id to config');
  const config: PluginsConfig = {};
  for (const [id, entry] of Object.entries(value)) {
    if (!isObject(entry)) throw new Error(`plugins.${id}: expected {download?, permissions}`);
    const permissions: PluginPermissions = {};
    const raw = entry['permissions'];
    if (raw !== undefined && raw !== null) {
      if (!isObject(raw)) throw new Error(`plugins.${id}.permissions: expected a map of rules`);
      for (const key of PERMISSION_KEYS) {
        if (raw[key] !== undefined && raw[key] !== null) permissions[key] = rule(raw[key], `plugins.${id}.permissions.${key}`);
      }
    }
    config[id] = typeof entry['download'] === 'string' ? { download: entry['download'], permissions } : { permissions };
  }
  return config;
}

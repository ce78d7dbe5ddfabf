import { toWorkspacePath } from '../runtime/path-guard.js';
import { checkPermission, type PluginsConfig } from './rules.js';
import type { PermissionChecker, PermissionDecision, PermissionKey } from './types.js';

const FILE_KEYS = new Set<PermissionKey>(['read_files', 'edit_files', 'create_files', 'delete_files', 'move_files']);

/** Rust's target normalisation for the five file permissions (§6.3). */
export function normalizeTarget(key: PermissionKey, target: string, workspaceRoot?: string): string {
  if (!FILE_KEYS.has(key)) return target;
  const slashed = target.replace(/\\/g, '/');
  if (workspaceRoot !== undefined) {
    const relative = toWorkspacePath(slashed, workspaceRoot);
    if (slashed.startsWith('/') && relative !== null) return relative;
  }
  return slashed.replace(/^(\.\/)+/, '').replace(/^\/+/, '');
}

/** Rust's decision and messages for one check over a `plugins` config (§6.2, §6.3). */
export function decide(plugins: PluginsConfig, pluginId: string, key: PermissionKey, target: string, root?: string): PermissionDecision {
  const normalized = normalizeTarget(key, target, root);
  switch (checkPermission(plugins, pluginId, key, normalized)) {
    case 'allowed':
      return { allowed: true, reason: 'allowed' };
    case 'denied':
      return { allowed: false, reason: 'denied', message: `Permission denied for plugin '${pluginId}': ${key} on '${normalized}'` };
    case 'not_configured':
      return {
        allowed: false,
        reason: 'not_configured',
        message:
          `Permission not configured for plugin '${pluginId}': ${key} on '${normalized}'. ` +
          `Add plugins.${pluginId}.permissions.${key} in root frontmatter.`,
      };
  }
}

/**
 * A checker over a `plugins` config (the shape of the root index's frontmatter), with Rust's
 * decision rules and messages. Pass a function to have every check read the current config.
 *
 * @example
 * const checker = rulesChecker({ 'acme.wordcount': { permissions: { read_files: { include: ['all'], exclude: [] } } } });
 */
export function rulesChecker(
  plugins: PluginsConfig | (() => PluginsConfig),
  options: { workspaceRoot?: string } = {},
): PermissionChecker {
  const current = typeof plugins === 'function' ? plugins : () => plugins;
  return { check: (pluginId, key, target) => decide(current(), pluginId, key, target, options.workspaceRoot) };
}

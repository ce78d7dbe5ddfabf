import type { WorkspaceFileSystem } from '../services/workspace-fs.js';
import { type HostTask, runTask, wait } from '../runtime/maybe-async.js';
import { toWorkspacePath } from '../runtime/path-guard.js';
import { parseFrontmatter } from '../util/frontmatter.js';
import { decodeUtf8Lossy } from '../util/utf8.js';
import { parsePluginsConfig } from './plugins-config.js';
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

function decide(plugins: PluginsConfig, pluginId: string, key: PermissionKey, target: string, root?: string): PermissionDecision {
  const normalized = normalizeTarget(key, target, root);
  switch (checkPermission(plugins, pluginId, key, normalized)) {
    case 'allowed':
      return { allowed: true };
    case 'denied':
      return { allowed: false, message: `Permission denied for plugin '${pluginId}': ${key} on '${normalized}'` };
    case 'not_configured':
      return {
        allowed: false,
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

function* frontmatterDecision(
  fs: WorkspaceFileSystem,
  rootIndexPath: string,
  pluginId: string,
  key: PermissionKey,
  target: string,
): HostTask<PermissionDecision> {
  let text: string;
  try {
    text = decodeUtf8Lossy(yield* wait(fs.readBinary(rootIndexPath)));
  } catch (error) {
    return { allowed: false, message: `Failed to read root index '${rootIndexPath}': ${(error as Error).message}` };
  }
  let frontmatter: Record<string, unknown> | null;
  try {
    frontmatter = parseFrontmatter(text);
  } catch (error) {
    return { allowed: false, message: `Failed to parse root frontmatter: ${(error as Error).message}` };
  }
  let plugins: PluginsConfig;
  try {
    plugins = parsePluginsConfig(frontmatter?.['plugins']);
  } catch (error) {
    return { allowed: false, message: `Invalid root frontmatter plugins config: ${(error as Error).message}` };
  }
  return decide(plugins, pluginId, key, target, fs.root);
}

/**
 * Rust's Frontmatter checker: the rules live in the `plugins` block of the workspace's root
 * index, which is re-read on every check so edits apply at once. `rootIndexPath` is
 * workspace-relative (e.g. `README.md`).
 */
export function frontmatterChecker(fs: WorkspaceFileSystem, rootIndexPath: string): PermissionChecker {
  return { check: (pluginId, key, target) => runTask(frontmatterDecision(fs, rootIndexPath, pluginId, key, target)) };
}

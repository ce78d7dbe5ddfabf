import type { MaybePromise } from '../runtime/maybe-async.js';

/** The eight permission keys, in Rust's field order. */
export const PERMISSION_KEYS = [
  'read_files',
  'edit_files',
  'create_files',
  'delete_files',
  'move_files',
  'http_requests',
  'execute_commands',
  'plugin_storage',
] as const;

/** One of the eight permission keys (`read_files`, `http_requests`, …). */
export type PermissionKey = (typeof PERMISSION_KEYS)[number];

/**
 * One rule: scopes to include and exclude. A scope is `all`, a workspace path, a markdown link
 * such as `[Notes](/notes/index.md)`, or a domain for `http_requests`. Exclude wins.
 */
export interface PermissionRule {
  include: string[];
  exclude: string[];
}

/** A plugin's permissions (Rust `PluginPermissions`); an absent rule is "not configured". */
export type PluginPermissions = Partial<Record<PermissionKey, PermissionRule>>;

/** The answer of a permission check. */
export type PermissionDecision = { allowed: true } | { allowed: false; message: string };

/** Decides whether a plugin may do something to a target (a path, URL or `plugin:command`). */
export interface PermissionChecker {
  check(pluginId: string, permission: PermissionKey, target: string): MaybePromise<PermissionDecision>;
}

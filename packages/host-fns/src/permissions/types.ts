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

/**
 * Why a permission check answered as it did, so an app can tell "ask the user" from "no":
 * - `allowed`: a rule (or the checker) allows it;
 * - `denied`: a rule excludes it, the checker denies everything, or the user said no;
 * - `not_configured`: no rule says anything about it (an app may ask the user, see `askingChecker`);
 * - `unavailable`: the rules cannot be read (no root index, its frontmatter does not parse, no checker).
 */
export type PermissionReason = 'allowed' | 'denied' | 'not_configured' | 'unavailable';

/** The answer of a permission check; a refusal carries the message the guest sees (PROTOCOL §6.3). */
export type PermissionDecision =
  | { allowed: true; reason: 'allowed' }
  | { allowed: false; reason: Exclude<PermissionReason, 'allowed'>; message: string };

/** Decides whether a plugin may do something to a target (a path, URL or `plugin:command`). */
export interface PermissionChecker {
  check(pluginId: string, permission: PermissionKey, target: string): MaybePromise<PermissionDecision>;
}

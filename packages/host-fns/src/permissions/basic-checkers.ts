import type { PermissionChecker } from './types.js';

/** Denies everything, with Rust's DenyAll message. */
export const denyAll: PermissionChecker = {
  check: (pluginId, permission, target) => ({
    allowed: false,
    reason: 'denied',
    message: `Permission denied: no permissions configured for plugin '${pluginId}' (${permission} on '${target}')`,
  }),
};

/** Allows everything. For trusted plugins and tests only. */
const ALLOWED = Object.freeze({ allowed: true as const, reason: 'allowed' as const });
export const allowAll: PermissionChecker = { check: () => ALLOWED };

/** The message every check gets when a host context has no checker at all. */
export const NO_CHECKER_MESSAGE = 'Permission checker is not configured for this plugin host context';

import type { PermissionDecision, PermissionKey } from '../permissions/types.js';
import type { HostCall } from './host-call.js';
import { type HostTask, wait } from './maybe-async.js';
import { guardPath } from './path-guard.js';

/** A guest's path, in the three forms the host functions use. */
export interface GuestPath {
  /** What the guest sent: the permission checker sees it first (PROTOCOL.md §4.1). */
  original: string;
  /** Workspace-relative (kit decision D3). */
  relative: string;
  /**
   * Where it really is, symbolic links followed (the file system's `realPath`); the file
   * system gets this one, so what was checked is what is touched. Equals `relative` when the
   * file system has no links, or when resolving failed (see `error`).
   */
  real: string;
  /** Why the real location could not be found (e.g. a link leading outside the workspace). */
  error?: unknown;
}

/**
 * Validates a guest path (traversal and absolute paths outside the workspace trap, see
 * {@link guardPath}) and finds where it really is. A failure to resolve is kept in `error`,
 * for the function to report as its I/O error after the permission check.
 */
export function* resolveGuestPath(call: HostCall, path: string): HostTask<GuestPath> {
  const relative = guardPath(call, path);
  const fs = call.context.fs;
  if (!fs.realPath) return { original: path, relative, real: relative };
  try {
    return { original: path, relative, real: yield* wait(fs.realPath(relative)) };
  } catch (error) {
    return { original: path, relative, real: relative, error };
  }
}

/** The real path, or the error that kept it from being found. */
export function usablePath(path: GuestPath): string {
  if (path.error !== undefined) throw path.error;
  return path.real;
}

/**
 * Asks the permission checker about each distinct form of the path: the guest's string (so a
 * denial names what the guest asked for, §4.1), the workspace-relative path, and the real
 * location (an exclude rule cannot be bypassed through a link such as `pub → private`). All
 * must be allowed; the first denial is the answer.
 */
export function* pathPermission(call: HostCall, key: PermissionKey, path: GuestPath): HostTask<PermissionDecision> {
  const asked = new Set<string>();
  for (const form of [path.original, path.relative, path.real]) {
    if (asked.has(form)) continue;
    asked.add(form);
    const decision = yield* call.permission(key, form);
    if (!decision.allowed) return decision;
  }
  return { allowed: true, reason: 'allowed' };
}

/** Like {@link pathPermission}, but a denial traps with the checker's message. */
export function* requirePathPermission(call: HostCall, key: PermissionKey, path: GuestPath): HostTask<void> {
  const decision = yield* pathPermission(call, key, path);
  if (!decision.allowed) call.trap(decision.message);
}

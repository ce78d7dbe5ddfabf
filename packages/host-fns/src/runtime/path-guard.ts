import type { HostCall } from './host-call.js';

/**
 * Rust's traversal rule: after `\` → `/`, a component that is exactly `..` traps with
 * `Path traversal not allowed: '<original>'`. `..a`, `a..` and `...` pass.
 */
export function hasTraversal(path: string): boolean {
  return path.replace(/\\/g, '/').split('/').includes('..');
}

function isAbsolute(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:\//.test(path);
}

function components(path: string): string[] {
  return path.split('/').filter((part, index) => part !== '' && !(part === '.' && index > 0));
}

/**
 * Turns a guest path into a workspace-relative one (kit decision D3): `\` → `/`, leading `./`
 * and repeated or trailing `/` removed; an absolute path under `root` becomes relative; any other
 * absolute path is outside the workspace and yields null. "" and "." are the root ("").
 */
export function toWorkspacePath(path: string, root: string | undefined): string | null {
  let p = path.replace(/\\/g, '/');
  if (isAbsolute(p)) {
    if (root === undefined) return null;
    const rootParts = components(root.replace(/\\/g, '/'));
    const parts = components(p);
    const under = rootParts.every((part, i) => parts[i] === part);
    if (!under) return null;
    return parts.slice(rootParts.length).join('/');
  }
  while (p.startsWith('./')) p = p.slice(2);
  const parts = components(p).filter((part) => part !== '.');
  return parts.join('/');
}

/**
 * Validates a guest path before any permission check: traversal traps (Rust's message), an
 * absolute path outside the workspace traps too (kit decision D3). Returns the
 * workspace-relative path that the permission checker and the file system receive.
 */
export function guardPath(call: HostCall, path: string): string {
  if (hasTraversal(path)) call.trap(`Path traversal not allowed: '${path}'`);
  const relative = toWorkspacePath(path, call.context.fs.root);
  if (relative === null) call.trap(`Absolute path outside the workspace not allowed: '${path}'`);
  return relative;
}

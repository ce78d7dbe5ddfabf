import type { PermissionKey, PermissionRule, PluginPermissions } from './types.js';

/** The three answers of Rust's `check_permission`. */
export type RuleDecision = 'allowed' | 'denied' | 'not_configured';

/** One plugin's entry of the workspace's `plugins` config (root-index frontmatter). */
export interface PluginConfigEntry {
  download?: string;
  permissions?: PluginPermissions;
}

/** The `plugins` map: plugin id → its entry. */
export type PluginsConfig = Record<string, PluginConfigEntry | undefined>;

const isAll = (scope: string) => scope.trim().toLowerCase() === 'all';
const stripOneSlash = (s: string) => (s.startsWith('/') ? s.slice(1) : s);

/** Rust `Path::components()` on Unix: root marker, no empty parts, `.` only when leading. */
function components(path: string): string[] {
  const parts: string[] = path.startsWith('/') ? ['/'] : [];
  path.split('/').forEach((part, index) => {
    if (part === '' || (part === '.' && index > 0)) return;
    parts.push(part);
  });
  return parts;
}

function startsWith(target: string[], base: string[]): boolean {
  return base.length <= target.length && base.every((part, i) => target[i] === part);
}

/** A file scope's pattern: a markdown link's target or the scope itself, minus one leading `/`. */
function scopePattern(scope: string): string | null {
  const s = scope.trim();
  const open = s.indexOf('](');
  if (open >= 0) {
    const close = s.indexOf(')', open + 2);
    if (close >= 0) return stripOneSlash(s.slice(open + 2, close));
  }
  const plain = stripOneSlash(s);
  return plain === '' ? null : plain;
}

/**
 * Rust's file match (§6.2): the target equals the pattern or is under it, component-wise, or
 * — the quirk — is under the pattern's parent folder when that parent is not empty (so
 * `journal/daily/daily.md` grants all of `journal/daily/`).
 */
export function fileScopeMatches(scope: string, target: string): boolean {
  if (isAll(scope)) return true;
  const pattern = scopePattern(scope);
  if (pattern === null) return false;
  const t = components(stripOneSlash(target));
  const p = components(pattern);
  if (startsWith(t, p)) return true;
  const parent = p.slice(0, -1);
  return parent.length > 0 && startsWith(t, parent);
}

/**
 * The host a request to this URL goes to, read by the WHATWG URL parser (the one that sends the
 * request; kit decision D19), lowercased; null when the URL cannot be sent as it is: not parsable,
 * not `http:`/`https:`, or carrying user info (`user:pw@`), which the kit refuses.
 *
 * Rust (§6.2) cuts the URL text at `/` then `:` instead, so `https://evil.test?.example.com`
 * counted as a subdomain of `example.com` while the request went to `evil.test`. For well-formed
 * URLs (lowercase `http://`/`https://`, no user info) both read the same host.
 */
export function urlDomain(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  if (parsed.username !== '' || parsed.password !== '') return null;
  return parsed.hostname.toLowerCase();
}

/**
 * The HTTP match: the host the request goes to ({@link urlDomain}) equals the scope or ends with
 * `.<scope>` (case-insensitive), as in Rust; a URL without a sendable host matches only `all`.
 */
export function httpScopeMatches(scope: string, url: string): boolean {
  if (isAll(scope)) return true;
  const domain = urlDomain(url);
  if (domain === null) return false;
  const wanted = scope.trim().toLowerCase();
  return domain === wanted || domain.endsWith(`.${wanted}`);
}

function ruleDecision(rule: PermissionRule, matches: (scope: string) => boolean): RuleDecision {
  if (rule.exclude.some(matches)) return 'denied';
  if (rule.include.some(matches)) return 'allowed';
  return 'not_configured';
}

/**
 * Rust's `check_permission(plugins, plugin_id, type, target)` (§6.2): `plugin_storage` is
 * allowed when no rule exists (only here); a missing plugin entry or rule is not configured;
 * excludes win over includes. `execute_commands` uses the file check on `<plugin>:<command>`.
 */
export function checkPermission(plugins: PluginsConfig, pluginId: string, key: PermissionKey, target: string): RuleDecision {
  const permissions = plugins[pluginId]?.permissions;
  if (key === 'plugin_storage') {
    const rule = permissions?.plugin_storage;
    if (!rule) return 'allowed';
    if (rule.exclude.some(isAll)) return 'denied';
    return rule.include.some(isAll) ? 'allowed' : 'not_configured';
  }
  if (!Object.prototype.hasOwnProperty.call(plugins, pluginId)) return 'not_configured';
  const rule = permissions?.[key];
  if (!rule) return 'not_configured';
  if (key === 'http_requests') return ruleDecision(rule, (scope) => httpScopeMatches(scope, target));
  return ruleDecision(rule, (scope) => fileScopeMatches(scope, target));
}

/** A proxy id: one path segment of these characters (kit decision D18). */
const PROXY_ID = /^[A-Za-z0-9._-]+$/;
const DOT_SEGMENT = /^\.{1,2}$/;

/** Percent-decodes until nothing changes (at most a few rounds), keeping malformed escapes. */
function decodeFully(text: string): string {
  let current = text;
  for (let round = 0; round < 4; round++) {
    const next = current.replace(/%[0-9a-fA-F]{2}/g, (escape) => String.fromCharCode(parseInt(escape.slice(1), 16)));
    if (next === current) break;
    current = next;
  }
  return current;
}

/**
 * Why a `host_proxy_request` target would leave its proxy prefix (kit decision D18), or null.
 * `proxy_id` is `[A-Za-z0-9._-]+` and not `.` or `..`; `path` has no backslash and no `.`/`..`
 * segment, raw or percent-encoded in any case (also double-encoded, for servers that decode
 * twice); and the URL as the WHATWG parser reads it stays under the prefix.
 */
export function proxyTargetProblem(proxyId: string, path: string, prefix: string, url: string): string | null {
  if (!PROXY_ID.test(proxyId) || DOT_SEGMENT.test(proxyId)) {
    return `proxy_id '${proxyId}' refused: a proxy id is one or more of A-Z a-z 0-9 . _ - (and not '.' or '..')`;
  }
  if (decodeFully(path).includes('\\')) return `path '${path}' refused: it contains a backslash`;
  // The query and fragment are not path segments; the path before them is checked decoded.
  const pathPart = decodeFully(path.split(/[?#]/, 1)[0]!);
  if (pathPart.split('/').some((segment) => DOT_SEGMENT.test(segment))) {
    return `path '${path}' refused: '.' and '..' segments (also percent-encoded) would leave /api/proxy/${proxyId}`;
  }
  let base: URL;
  let target: URL;
  try {
    base = new URL(prefix);
    target = new URL(url);
  } catch {
    return `the proxy URL '${url}' is not a URL (server_url '${prefix.slice(0, -`/api/proxy/${proxyId}`.length)}')`;
  }
  const inside = target.pathname === base.pathname || target.pathname.startsWith(`${base.pathname}/`);
  if (target.origin !== base.origin || !inside) {
    return `path '${path}' refused: the request would go to '${target.href}', outside '${base.href}'`;
  }
  return null;
}

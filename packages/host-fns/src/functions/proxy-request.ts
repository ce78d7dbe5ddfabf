import { defineHostFunction } from '../runtime/define.js';
import { HostTrap } from '../runtime/host-call.js';
import { optStr, optStrMap, str, strOr } from '../runtime/input-schema.js';
import { wait } from '../runtime/maybe-async.js';
import { errorMessage } from '../util/error-message.js';
import { checkHeaders, httpResponseOutput, httpStub } from '../util/http.js';
import { requireSendableUrl } from '../util/http-redirects.js';
import { proxyTargetProblem } from '../util/proxy-target.js';
import { encodeUtf8 } from '../util/utf8.js';

/** The proxy's fixed deadline. */
const PROXY_TIMEOUT_MS = 120_000;

/**
 * `host_proxy_request {proxy_id, path?, method?, headers?, body?}` → the response JSON, sent to
 * `<server_url>/api/proxy/<proxy_id>[/<path>]` from the runtime context with the app's token.
 * No permission check (as in Rust). Without an HTTP client: Rust's stub output.
 * Kit decision D18: a `proxy_id` or `path` that would leave `/api/proxy/<proxy_id>` (dot
 * segments, raw or percent-encoded; backslashes) traps before anything is sent.
 *
 * Kit decision D18, redirects (issue 30): no redirect is followed; a 3xx is the response, its
 * `location` header included. Rust's client follows them, so the server's answer chose where the
 * request and the user's token went next: a same-origin 302 out of `/api/proxy/` reached any
 * endpoint of the server with the token, and a 302 to another host handed the plugin (which needs
 * no permission here) the body of an internal service. Re-checking each hop against the prefix
 * would keep redirects inside it working, but it is a second rule for where the token may go;
 * returning the 3xx keeps one: the request goes to the URL built from the plugin's own
 * `proxy_id` and `path`, checked by D18, and nowhere else. A plugin that wants the new location
 * asks for it with another call (D18 checks it again), or with `host_http_request` under its
 * `http_requests` permission, without the token.
 */
export const hostProxyRequest = defineHostFunction('host_proxy_request', function* (call) {
  const client = call.context.http;
  if (!client) return httpStub('host_proxy_request');
  const input = call.input({
    proxy_id: str(),
    path: strOr(''),
    method: strOr('POST'),
    headers: optStrMap(),
    body: optStr(),
  });
  const guestHeaders = Object.entries(input.headers ?? {});
  checkHeaders(call, guestHeaders);
  const context = yield* wait(call.context.runtimeContext.getContext(call.pluginId));
  const serverUrl = context['server_url'];
  if (typeof serverUrl !== 'string') return call.trap('host_proxy_request: server_url not available in runtime context');
  const token = context['auth_token'];
  const prefix = `${serverUrl.replace(/\/+$/, '')}/api/proxy/${input.proxy_id}`;
  const url = input.path === '' ? prefix : `${prefix}/${input.path.replace(/^\/+/, '')}`;
  const problem = proxyTargetProblem(input.proxy_id, input.path, prefix, url);
  if (problem !== null) return call.trap(`host_proxy_request: ${problem}; nothing was sent`);
  requireSendableUrl(call, url);
  // Added, never replaced: a guest Content-Type becomes a second header, as in Rust.
  const headers: Array<[string, string]> = [['Content-Type', 'application/json']];
  if (typeof token === 'string') headers.push(['Authorization', `Bearer ${token}`]);
  headers.push(...guestHeaders);
  const body = input.body === null ? null : encodeUtf8(input.body);
  try {
    const request = { url, method: input.method, headers, body, timeoutMs: PROXY_TIMEOUT_MS, signal: call.signal };
    // D18: a redirect is returned to the plugin, never followed (see above).
    const response = yield* wait(client.send(request));
    return yield* httpResponseOutput(call, response);
  } catch (error) {
    if (error instanceof HostTrap) throw error;
    return call.trap(`host_proxy_request: ${errorMessage(error)}`);
  }
});

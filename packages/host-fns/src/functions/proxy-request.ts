import { defineHostFunction } from '../runtime/define.js';
import { HostTrap } from '../runtime/host-call.js';
import { optStr, optStrMap, str, strOr } from '../runtime/input-schema.js';
import { wait } from '../runtime/maybe-async.js';
import { errorMessage } from '../util/error-message.js';
import { checkHeaders, httpResponseOutput, httpStub } from '../util/http.js';
import { requireSendableUrl, sendFollowingRedirects } from '../util/http-redirects.js';
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
    // The app's server may redirect; the token is dropped when a redirect leaves its origin.
    const response = yield* sendFollowingRedirects(client, request, function* (_from, to) {
      requireSendableUrl(call, to);
    });
    return yield* httpResponseOutput(call, response);
  } catch (error) {
    if (error instanceof HostTrap) throw error;
    return call.trap(`host_proxy_request: ${errorMessage(error)}`);
  }
});

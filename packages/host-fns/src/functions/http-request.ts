import { defineHostFunction } from '../runtime/define.js';
import { optStr, optU64, str, strMap } from '../runtime/input-schema.js';
import { HostTrap } from '../runtime/host-call.js';
import { decodeBase64Strict } from '../util/base64.js';
import { pluginLogPrefix } from '../services/logger.js';
import { errorMessage } from '../util/error-message.js';
import { checkHeaders, httpResponseOutput, httpStub } from '../util/http.js';
import { requireSendableUrl, sendFollowingRedirects } from '../util/http-redirects.js';
import { encodeUtf8 } from '../util/utf8.js';

/** The deadline range of `timeout_ms` (Rust clamps to 1 s…300 s). */
export const HTTP_TIMEOUT_RANGE_MS = [1_000, 300_000] as const;

/**
 * `host_http_request {url, method, headers, body?, body_base64?, timeout_ms?}` → the response
 * JSON. Headers are checked first, then http_requests(url); a denial, a bad body or a transport
 * failure traps; 4xx/5xx are ordinary responses. Without an HTTP client: Rust's stub output.
 * Kit decision D19: the URL must be http(s) without user info, and redirects are followed here,
 * each new URL checked against http_requests before it is sent to.
 */
export const hostHttpRequest = defineHostFunction('host_http_request', function* (call) {
  const client = call.context.http;
  if (!client) return httpStub('host_http_request');
  const input = call.input({
    url: str(),
    method: str(),
    headers: strMap(),
    body: optStr(),
    body_base64: optStr(),
    timeout_ms: optU64(),
  });
  const headers = Object.entries(input.headers);
  checkHeaders(call, headers);
  yield* call.requirePermission('http_requests', input.url);
  requireSendableUrl(call, input.url);
  let body: Uint8Array | null = null;
  if (input.body_base64 !== null) {
    try {
      body = decodeBase64Strict(input.body_base64);
    } catch (error) {
      return call.trap(`host_http_request: base64 decode: ${errorMessage(error)}`);
    }
  } else if (input.body !== null) {
    body = encodeUtf8(input.body);
  }
  const [low, high] = HTTP_TIMEOUT_RANGE_MS;
  const timeoutMs = input.timeout_ms === null ? null : Math.min(high, Math.max(low, input.timeout_ms));
  try {
    const request = { url: input.url, method: input.method, headers, body, timeoutMs, signal: call.signal };
    const response = yield* sendFollowingRedirects(client, request, function* (from, to) {
      requireSendableUrl(call, to);
      const decision = yield* call.permission('http_requests', to);
      if (!decision.allowed) call.trap(`host_http_request: redirect from '${from}' to '${to}' refused: ${decision.message}`);
    });
    if (response.status >= 400) {
      call.context.logger.warn(`${pluginLogPrefix(call.pluginId)} HTTP ${input.method} ${input.url} returned ${response.status}`, call.logFields('host'));
    }
    return yield* httpResponseOutput(call, response);
  } catch (error) {
    if (error instanceof HostTrap) throw error;
    return call.trap(`host_http_request: ${errorMessage(error)}`);
  }
});

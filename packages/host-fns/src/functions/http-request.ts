import { defineHostFunction } from '../runtime/define.js';
import { optStr, optU64, str, strMap } from '../runtime/input-schema.js';
import { wait } from '../runtime/maybe-async.js';
import { decodeBase64Strict } from '../util/base64.js';
import { errorMessage } from '../util/error-message.js';
import { checkHeaders, httpResponseJson, httpStub } from '../util/http.js';
import { encodeUtf8 } from '../util/utf8.js';

/** The deadline range of `timeout_ms` (Rust clamps to 1 s…300 s). */
export const HTTP_TIMEOUT_RANGE_MS = [1_000, 300_000] as const;

/**
 * `host_http_request {url, method, headers, body?, body_base64?, timeout_ms?}` → the response
 * JSON. Headers are checked first, then http_requests(url); a denial, a bad body or a transport
 * failure traps; 4xx/5xx are ordinary responses. Without an HTTP client: Rust's stub output.
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
    const response = yield* wait(client.send({ url: input.url, method: input.method, headers, body, timeoutMs }));
    if (response.status >= 400) {
      call.context.logger.warn(`plugin '${call.pluginId}': HTTP ${input.method} ${input.url} returned ${response.status}`);
    }
    return httpResponseJson(response);
  } catch (error) {
    return call.trap(`host_http_request: ${errorMessage(error)}`);
  }
});

import type { HostCall } from '../runtime/host-call.js';
import type { HttpResponse } from '../services/http-client.js';
import { encodeBase64 } from './base64.js';
import { decodeUtf8Lossy } from './utf8.js';

const FORBIDDEN = /[\r\n\0]/;
const VISIBLE = /^[\t\x20-\x7e]*$/;

/** Rust's header check (before anything else): `\r`, `\n` or NUL in a name or value traps. */
export function checkHeaders(call: HostCall, headers: Iterable<[string, string]>): void {
  for (const [name, value] of headers) {
    if (FORBIDDEN.test(name) || FORBIDDEN.test(value)) {
      call.trap(`Invalid HTTP header: name or value contains forbidden characters (header: '${name}')`);
    }
  }
}

/**
 * The output of the HTTP host functions (struct order): `{status, headers, body, body_base64}`,
 * header names lowercased, the last of a repeated header winning, values that are not visible
 * ASCII (tab allowed) skipped, the body as lossy UTF-8 and as base64.
 */
export function httpResponseJson(response: HttpResponse): string {
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) {
    if (VISIBLE.test(value)) headers[name.toLowerCase()] = value;
  }
  const sorted = Object.fromEntries(Object.entries(headers).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return JSON.stringify({
    status: response.status,
    headers: sorted,
    body: decodeUtf8Lossy(response.body),
    body_base64: encodeBase64(response.body),
  });
}

/** The output of an HTTP host function when the host has no HTTP client (Rust's default build). */
export function httpStub(fn: string): string {
  return JSON.stringify({ body: `${fn}: http feature not enabled`, headers: {}, status: 0 });
}

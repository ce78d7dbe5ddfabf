import type { HostCall } from '../runtime/host-call.js';
import type { HttpResponse } from '../services/http-client.js';
import { type HostTask, wait } from '../runtime/maybe-async.js';
import { encodeBase64Framed } from './base64.js';
import { lossyUtf8JsonString } from './lossy-json-bytes.js';
import { encodeUtf8 } from './utf8.js';

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
 * ASCII (tab allowed) skipped, the body as lossy UTF-8 and as base64. Built as bytes, in slices
 * between which a worker plugin's host lets its timers run (a body may be tens of MiB).
 */
export function* httpResponseOutput(call: HostCall, response: HttpResponse): HostTask<Uint8Array> {
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) {
    if (VISIBLE.test(value)) headers[name.toLowerCase()] = value;
  }
  const sorted = Object.fromEntries(Object.entries(headers).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const head = encodeUtf8(`{"status":${JSON.stringify(response.status)},"headers":${JSON.stringify(sorted)},"body":`);
  const pause = call.plugin.inProcess ? null : nextMacrotask;
  const body = yield* lossyUtf8JsonString(response.body, pause);
  if (pause && response.body.length > LARGE_BODY_BYTES) yield* wait(pause());
  const output = encodeBase64Framed([head, ...body, encodeUtf8(',"body_base64":"')], response.body, encodeUtf8('"}'));
  // The SDK copies the output into the guest's memory next: let the host's timers run first.
  if (pause && response.body.length > LARGE_BODY_BYTES) yield* wait(pause());
  return output;
}

/** A body above this size is worked on in pieces with pauses between them (worker mode). */
const LARGE_BODY_BYTES = 1024 * 1024;

const nextMacrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** The output of an HTTP host function when the host has no HTTP client (Rust's default build). */
export function httpStub(fn: string): string {
  return JSON.stringify({ body: `${fn}: http feature not enabled`, headers: {}, status: 0 });
}

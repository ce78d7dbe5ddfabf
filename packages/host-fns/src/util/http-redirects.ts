import type { HostCall } from '../runtime/host-call.js';
import { type HostTask, wait } from '../runtime/maybe-async.js';
import type { HttpClient, HttpRequest, HttpResponse } from '../services/http-client.js';

/** How many redirects one guest request may follow (reqwest's default policy, as in Rust). */
export const MAX_HTTP_REDIRECTS = 10;

/** Dropped when a redirect leaves the origin (scheme, host or port), as reqwest does. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'cookie2', 'proxy-authorization', 'www-authenticate']);
/** Dropped with the body when a 301/302/303 turns the request into a GET, as reqwest does. */
const BODY_HEADERS = new Set(['transfer-encoding', 'content-encoding', 'content-type', 'content-length']);

/**
 * Sends a guest's request and follows redirects by hand (the HTTP client never does, kit
 * decision D19): `checkHop` sees every new URL before anything is sent to it and traps to refuse
 * it. reqwest's rules otherwise: 301/302/303 become a body-less GET (HEAD stays HEAD), 307/308
 * keep method and body, credentials are dropped when the origin changes, a 3xx without a usable
 * `Location` is the response, and more than {@link MAX_HTTP_REDIRECTS} hops fail. The request's
 * `timeoutMs` is the deadline of all hops together.
 * @throws Error for transport failures, a deadline spent between hops, and too many redirects
 */
export function* sendFollowingRedirects(
  client: HttpClient,
  first: HttpRequest,
  checkHop: (from: string, to: string) => HostTask<void>,
): HostTask<HttpResponse> {
  const deadline = first.timeoutMs === null ? null : Date.now() + first.timeoutMs;
  let request = first;
  for (let hops = 0; ; hops++) {
    const response = yield* wait(client.send(request));
    const target = redirectTarget(response, request.url);
    if (target === null) return response;
    if (hops >= MAX_HTTP_REDIRECTS) throw new Error(`too many redirects (more than ${MAX_HTTP_REDIRECTS}), the last one to '${target}'`);
    yield* checkHop(request.url, target);
    const timeoutMs = deadline === null ? null : deadline - Date.now();
    if (timeoutMs !== null && timeoutMs <= 0) throw new Error(`request timed out after ${first.timeoutMs} ms (following redirects)`);
    request = { ...redirectedRequest(request, response.status, target), timeoutMs };
  }
}

/** The absolute URL a 301/302/303/307/308 response sends the request to, or null. */
function redirectTarget(response: HttpResponse, base: string): string | null {
  if (![301, 302, 303, 307, 308].includes(response.status)) return null;
  let location: string | undefined;
  for (const [name, value] of response.headers) if (name.toLowerCase() === 'location') location = value;
  if (location === undefined) return null;
  try {
    return new URL(location, base).href;
  } catch {
    return null;
  }
}

function redirectedRequest(request: HttpRequest, status: number, target: string): HttpRequest {
  const sameOrigin = new URL(request.url).origin === new URL(target).origin;
  const toGet = status === 301 || status === 302 || status === 303;
  const headers = request.headers.filter(([name]) => {
    const lower = name.toLowerCase();
    return !(toGet && BODY_HEADERS.has(lower)) && !(!sameOrigin && CREDENTIAL_HEADERS.has(lower));
  });
  return {
    ...request,
    url: target,
    method: toGet && request.method !== 'GET' && request.method !== 'HEAD' ? 'GET' : request.method,
    headers,
    body: toGet ? null : request.body,
  };
}

/**
 * Traps unless the URL can be sent as the permission check read it: parsable, `http:` or
 * `https:`, and without user info (kit decision D19).
 */
export function requireSendableUrl(call: HostCall, url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return call.trap(`${call.fn}: invalid request: '${url}' is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return call.trap(`${call.fn}: invalid request: '${url}' is not an http or https URL`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return call.trap(`${call.fn}: invalid request: '${url}' has user info (user:password@); the kit refuses it`);
  }
  return parsed;
}

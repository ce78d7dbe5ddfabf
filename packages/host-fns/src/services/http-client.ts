import type { MaybePromise } from '../runtime/maybe-async.js';

/** One HTTP request a guest asked for (`host_http_request`, `host_proxy_request`): one hop. */
export interface HttpRequest {
  url: string;
  method: string;
  /** Header pairs in order; a name may repeat (the proxy adds, never replaces). */
  headers: Array<[string, string]>;
  body: Uint8Array | null;
  /** What is left of the whole request's deadline in ms, already clamped; null = no deadline. */
  timeoutMs: number | null;
  /**
   * Aborted when the plugin call that sent the request is over (its deadline passed, its worker
   * was stopped, the plugin was closed): stop the request and free its connection.
   */
  signal?: AbortSignal;
}

/** The response handed back to the guest. Error statuses are ordinary responses. */
export interface HttpResponse {
  status: number;
  headers: Array<[string, string]>;
  body: Uint8Array;
}

/**
 * Sends HTTP requests for plugins. Throw for transport failures (DNS, refused, timeout, abort).
 * A client must **not** follow redirects: it returns a 3xx as it is, and the host functions
 * follow it by hand, checking every hop against the plugin's permissions (kit decision D19).
 * When no client is configured, the HTTP host functions return Rust's "feature not enabled" stub.
 */
export interface HttpClient {
  send(request: HttpRequest): MaybePromise<HttpResponse>;
}

/**
 * The largest response body the kit's clients read (100 MiB). Rust reads bodies of any size,
 * but a guest gets the body twice (text and base64) in one output, and a larger output would
 * be over the host-side memory a call may use (256 MiB by default) anyway.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 100 * 1024 * 1024;

/** What the kit's clients say when a body is over their limit. */
export function responseTooLargeMessage(limit: number): string {
  return `response body larger than ${limit} bytes (the HTTP client's maxResponseBytes)`;
}

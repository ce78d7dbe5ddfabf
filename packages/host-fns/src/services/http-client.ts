import type { MaybePromise } from '../runtime/maybe-async.js';

/** One HTTP request a guest asked for (`host_http_request`, `host_proxy_request`). */
export interface HttpRequest {
  url: string;
  method: string;
  /** Header pairs in order; a name may repeat (the proxy adds, never replaces). */
  headers: Array<[string, string]>;
  body: Uint8Array | null;
  /** The whole request's deadline in ms, already clamped; null = no deadline. */
  timeoutMs: number | null;
}

/** The response handed back to the guest. Error statuses are ordinary responses. */
export interface HttpResponse {
  status: number;
  headers: Array<[string, string]>;
  body: Uint8Array;
}

/**
 * Sends HTTP requests for plugins. Throw for transport failures (DNS, refused, timeout).
 * When no client is configured, the HTTP host functions return Rust's "feature not enabled" stub.
 */
export interface HttpClient {
  send(request: HttpRequest): MaybePromise<HttpResponse>;
}

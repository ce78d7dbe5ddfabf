import { BodyCollector } from '../util/body-collector.js';
import { DEFAULT_MAX_RESPONSE_BYTES, type HttpClient, type HttpRequest, type HttpResponse } from './http-client.js';

/** Options of {@link fetchHttpClient}. */
export interface FetchHttpClientOptions {
  /** The largest response body read; a larger one fails the request. Default 100 MiB. */
  maxResponseBytes?: number;
}

/**
 * An {@link HttpClient} over the platform's `fetch`: the one for browsers (the portable entry).
 * Transport failures, deadlines and aborts throw; HTTP error statuses are ordinary responses.
 * Redirects are returned, not followed (the host functions follow them, checking each hop).
 *
 * Limits of `fetch` itself: it refuses the fetch standard's "bad ports" (6000, 6665–6669,
 * 10080, …), and a browser hides where a redirect goes (such a redirect fails the request).
 * In Node, use `nodeHttpClient()` from the package's Node entry, which has neither limit.
 *
 * @example
 * const host = createHostContext({ http: fetchHttpClient() });
 */
export function fetchHttpClient(fetchImpl: typeof fetch = globalThis.fetch, options: FetchHttpClientOptions = {}): HttpClient {
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  return {
    async send(request: HttpRequest): Promise<HttpResponse> {
      const headers = new Headers();
      for (const [name, value] of request.headers) headers.append(name, value);
      const abort = new AbortController();
      const timer = request.timeoutMs === null ? undefined : setTimeout(() => abort.abort(timedOut(request)), request.timeoutMs);
      const onAbort = () => abort.abort(new Error('request aborted: the plugin call is over'));
      if (request.signal?.aborted) onAbort();
      request.signal?.addEventListener('abort', onAbort);
      try {
        const response = await fetchImpl(request.url, {
          method: request.method,
          headers,
          redirect: 'manual',
          signal: abort.signal,
          ...(request.body === null ? {} : { body: request.body as Uint8Array<ArrayBuffer> }),
        });
        if (response.type === 'opaqueredirect') {
          throw new Error(`the redirect of ${request.url} was not followed: the browser hides where it goes`);
        }
        return { status: response.status, headers: [...response.headers.entries()], body: await readBody(response, maxBytes, abort) };
      } catch (error) {
        if (abort.signal.aborted && abort.signal.reason instanceof Error) throw abort.signal.reason;
        const cause = (error as { cause?: { message?: string } }).cause?.message;
        throw new Error(cause ? `${(error as Error).message}: ${cause}` : (error as Error).message);
      } finally {
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onAbort);
      }
    },
  };
}

function timedOut(request: HttpRequest): Error {
  return new Error(`request timed out after ${request.timeoutMs} ms`);
}

/** Reads the body up to `maxBytes`; a larger body aborts the request and throws. */
async function readBody(response: Response, maxBytes: number, abort: AbortController): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const body = new BodyCollector(maxBytes);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return body.bytes();
    const tooLarge = body.add(value);
    if (tooLarge) {
      abort.abort(tooLarge);
      throw tooLarge;
    }
  }
}

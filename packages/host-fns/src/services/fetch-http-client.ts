import type { HttpClient, HttpRequest, HttpResponse } from './http-client.js';

/**
 * An {@link HttpClient} over the platform's `fetch` (Node 20, browsers). Transport failures and
 * deadlines throw; HTTP error statuses are ordinary responses. Redirects are followed by `fetch`.
 *
 * @example
 * const host = createHostContext({ http: fetchHttpClient() });
 */
export function fetchHttpClient(fetchImpl: typeof fetch = globalThis.fetch): HttpClient {
  return {
    async send(request: HttpRequest): Promise<HttpResponse> {
      const headers = new Headers();
      for (const [name, value] of request.headers) headers.append(name, value);
      const signal = request.timeoutMs === null ? undefined : AbortSignal.timeout(request.timeoutMs);
      let response: Response;
      try {
        response = await fetchImpl(request.url, {
          method: request.method,
          headers,
          ...(request.body === null ? {} : { body: request.body as Uint8Array<ArrayBuffer> }),
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        const cause = (error as { cause?: { message?: string } }).cause?.message;
        const name = (error as Error).name;
        if (name === 'TimeoutError') throw new Error(`request timed out after ${request.timeoutMs} ms`);
        throw new Error(cause ? `${(error as Error).message}: ${cause}` : (error as Error).message);
      }
      return {
        status: response.status,
        headers: [...response.headers.entries()],
        body: new Uint8Array(await response.arrayBuffer()),
      };
    },
  };
}

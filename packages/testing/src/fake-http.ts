import type { HttpClient, HttpRequest, HttpResponse } from '@diaryx/host-fns';

/** What a fake route answers: a status with optional headers and body (object = JSON). */
export interface FakeHttpResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array | object;
}

/** A request the plugin sent, as a test reads it. */
export interface RecordedHttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The body as text (lossy UTF-8), or null. */
  body: string | null;
  timeoutMs: number | null;
}

/**
 * Routes: `"METHOD url-pattern"` or `"url-pattern"` (any method) → a response or a function of
 * the request. `*` in a pattern matches any run of characters.
 */
export type FakeHttpRoutes = Record<string, FakeHttpResponse | ((request: RecordedHttpRequest) => FakeHttpResponse)>;

function toRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function encodeBody(body: FakeHttpResponse['body']): Uint8Array {
  if (body === undefined) return new Uint8Array();
  if (typeof body === 'string') return new TextEncoder().encode(body);
  if (body instanceof Uint8Array) return body;
  return new TextEncoder().encode(JSON.stringify(body));
}

/** Scripted HTTP for the fake host; every request is recorded, unmatched ones fail loudly. */
export class FakeHttp implements HttpClient {
  /** Every request, matched or not, in order. */
  readonly requests: RecordedHttpRequest[] = [];
  readonly #routes: Array<{ key: string; method: string | null; url: RegExp; answer: FakeHttpRoutes[string] }>;

  constructor(routes: FakeHttpRoutes = {}) {
    this.#routes = Object.entries(routes).map(([key, answer]) => {
      const space = key.indexOf(' ');
      const method = space > 0 && /^[A-Z]+$/.test(key.slice(0, space)) ? key.slice(0, space) : null;
      return { key, method, url: toRegExp(method ? key.slice(space + 1) : key), answer };
    });
  }

  send(request: HttpRequest): HttpResponse {
    const recorded: RecordedHttpRequest = {
      method: request.method,
      url: request.url,
      headers: Object.fromEntries(request.headers),
      body: request.body === null ? null : new TextDecoder().decode(request.body),
      timeoutMs: request.timeoutMs,
    };
    this.requests.push(recorded);
    const route = this.#routes.find((r) => (r.method === null || r.method === request.method.toUpperCase()) && r.url.test(request.url));
    if (!route) {
      const known = this.#routes.map((r) => r.key).join(', ') || 'none';
      throw new Error(`no fake HTTP route matches ${request.method} ${request.url} (routes: ${known})`);
    }
    const response = typeof route.answer === 'function' ? route.answer(recorded) : route.answer;
    const headers = Object.entries(response.headers ?? {});
    if (response.body !== undefined && typeof response.body === 'object' && !(response.body instanceof Uint8Array)) {
      if (!headers.some(([name]) => name.toLowerCase() === 'content-type')) headers.push(['content-type', 'application/json']);
    }
    return { status: response.status ?? 200, headers, body: encodeBody(response.body) };
  }
}

import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { DEFAULT_MAX_RESPONSE_BYTES, type HttpClient, type HttpRequest, type HttpResponse } from '../services/http-client.js';
import { BodyCollector } from '../util/body-collector.js';

/** Options of {@link nodeHttpClient}. */
export interface NodeHttpClientOptions {
  /** The largest response body read; a larger one fails the request. Default 100 MiB. */
  maxResponseBytes?: number;
}

/**
 * The {@link HttpClient} for Node: `node:http`/`node:https`, so it reaches every port the
 * plugin's permissions allow, as the Rust host's client does (Node's `fetch` refuses the fetch
 * standard's "bad ports" such as 6000, 6665–6669 and 10080). The whole request honours its
 * deadline and the plugin call's abort signal; the body is read up to `maxResponseBytes`;
 * redirects are returned, not followed (the host functions follow them, checking each hop).
 * Bodies are sent and received as they are (no automatic compression), as Rust does.
 *
 * @example
 * const host = createHostContext({ http: nodeHttpClient() });
 */
export function nodeHttpClient(options: NodeHttpClientOptions = {}): HttpClient {
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  return { send: (request) => send(request, maxBytes) };
}

function send(request: HttpRequest, maxBytes: number): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    const url = new URL(request.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      reject(new Error(`invalid request: '${request.url}' is not an http or https URL`));
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    let settled = false;
    const finish = (error: Error | null, response?: HttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      if (error) {
        outgoing?.destroy();
        reject(error);
      } else {
        resolve(response!);
      }
    };
    const onAbort = () => finish(new Error('request aborted: the plugin call is over'));
    let outgoing: ClientRequest | undefined;
    try {
      outgoing = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method: request.method }, (incoming) =>
        readResponse(incoming, maxBytes, finish),
      );
      const created = outgoing;
      created.on('error', (error) => finish(error));
      setHeaders(request, (name, values) => created.setHeader(name, values));
    } catch (error) {
      // An unusable method or header (Node checks them as Rust's client does).
      settled = true;
      outgoing?.destroy();
      reject(new Error(`invalid request: ${(error as Error).message}`));
      return;
    }
    if (request.timeoutMs !== null) {
      timer = setTimeout(() => finish(new Error(`request timed out after ${request.timeoutMs} ms`)), request.timeoutMs);
    }
    if (request.signal?.aborted) return onAbort();
    request.signal?.addEventListener('abort', onAbort);
    outgoing.end(request.body ?? undefined);
  });
}

/** Header pairs as Node takes them: each name once, its values in order (first spelling kept). */
function setHeaders(request: HttpRequest, set: (name: string, values: string[]) => void): void {
  const byName = new Map<string, { name: string; values: string[] }>();
  for (const [name, value] of request.headers) {
    const entry = byName.get(name.toLowerCase());
    if (entry) entry.values.push(value);
    else byName.set(name.toLowerCase(), { name, values: [value] });
  }
  if (request.body !== null && !byName.has('content-length') && !byName.has('transfer-encoding')) {
    byName.set('content-length', { name: 'Content-Length', values: [String(request.body.byteLength)] });
  }
  for (const { name, values } of byName.values()) set(name, values);
}

function readResponse(incoming: IncomingMessage, maxBytes: number, finish: (error: Error | null, response?: HttpResponse) => void): void {
  const body = new BodyCollector(maxBytes);
  incoming.on('data', (chunk: Buffer) => {
    const tooLarge = body.add(chunk);
    if (tooLarge) finish(tooLarge);
  });
  incoming.on('error', (error) => finish(error));
  incoming.on('close', () => {
    if (!incoming.complete) finish(new Error('the server closed the connection before the whole response was sent'));
  });
  incoming.on('end', () => {
    const headers: Array<[string, string]> = [];
    const raw = incoming.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) headers.push([raw[i]!, raw[i + 1]!]);
    finish(null, { status: incoming.statusCode ?? 0, headers, body: body.bytes() });
  });
}

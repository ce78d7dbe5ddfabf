import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchHttpClient } from '../services/fetch-http-client.js';
import type { HttpRequest } from '../services/http-client.js';
import { nodeHttpClient } from './node-http-client.js';

let server: Server;
let origin: string;
const seen: Array<{ method: string; url: string; raw: string[]; headers: IncomingHttpHeaders; body: string }> = [];
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.push({ method: request.method!, url: request.url!, raw: request.rawHeaders, headers: request.headers, body: Buffer.concat(chunks).toString() });
      if (request.url === '/hang') return;
      if (request.url === '/moved') return void response.writeHead(302, { location: '/elsewhere' }).end();
      if (request.url === '/large') return void response.end(Buffer.alloc(2048, 97));
      response.writeHead(201, [['X-Dup', 'a'], ['X-Dup', 'b'], ['Content-Type', 'text/plain']]).end('hello');
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  for (const socket of sockets) socket.destroy();
  server.close();
});

const request = (extra: Partial<HttpRequest> = {}): HttpRequest => ({ url: `${origin}/x`, method: 'POST', headers: [], body: null, timeoutMs: null, ...extra });

describe('nodeHttpClient (issue 21 item 7)', () => {
  it('sends method, repeated headers in order, and the body with its length; returns raw headers', async () => {
    const response = await nodeHttpClient().send(
      request({ headers: [['Content-Type', 'application/json'], ['Authorization', 'Bearer t'], ['content-type', 'text/plain']], body: new TextEncoder().encode('hi') }),
    );
    expect(response.status).toBe(201);
    expect(response.headers.filter(([name]) => name === 'X-Dup')).toEqual([['X-Dup', 'a'], ['X-Dup', 'b']]);
    expect(new TextDecoder().decode(response.body)).toBe('hello');
    const last = seen.at(-1)!;
    expect(last.method).toBe('POST');
    expect(last.body).toBe('hi');
    expect(last.headers['content-length']).toBe('2');
    expect(last.raw.filter((_, i) => i % 2 === 0 && /content-type/i.test(last.raw[i]!)).length).toBe(2);
  });

  it('returns a redirect as it is (the host functions follow it)', async () => {
    const response = await nodeHttpClient().send(request({ url: `${origin}/moved`, method: 'GET' }));
    expect(response.status).toBe(302);
    expect(response.headers).toContainEqual(['location', '/elsewhere']);
  });

  it('fails a body over maxResponseBytes', async () => {
    await expect(nodeHttpClient({ maxResponseBytes: 1000 }).send(request({ url: `${origin}/large`, method: 'GET' }))).rejects.toThrow(
      'response body larger than 1000 bytes',
    );
  });

  it('gives up at the deadline and when the call is aborted, closing the connection', async () => {
    const open = sockets.size;
    await expect(nodeHttpClient().send(request({ url: `${origin}/hang`, timeoutMs: 100 }))).rejects.toThrow('request timed out after 100 ms');
    const abort = new AbortController();
    const pending = nodeHttpClient().send(request({ url: `${origin}/hang`, signal: abort.signal }));
    setTimeout(() => abort.abort(), 50);
    await expect(pending).rejects.toThrow('request aborted');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sockets.size).toBeLessThanOrEqual(open);
  });

  it('an unusable method or header is an invalid request', async () => {
    await expect(nodeHttpClient().send(request({ method: 'GE T' }))).rejects.toThrow(/^invalid request: /);
    await expect(nodeHttpClient().send(request({ headers: [['X-A', 'caf\u00e9\u0100']] }))).rejects.toThrow(/^invalid request: /);
  });
});

describe('fetchHttpClient (the portable client)', () => {
  it('returns a redirect as it is, and honours the abort signal', async () => {
    const response = await fetchHttpClient().send(request({ url: `${origin}/moved`, method: 'GET' }));
    expect(response.status).toBe(302);
    const abort = new AbortController();
    abort.abort();
    await expect(fetchHttpClient().send(request({ url: `${origin}/hang`, signal: abort.signal }))).rejects.toThrow('request aborted');
  });
});

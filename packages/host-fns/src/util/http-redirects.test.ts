import { describe, expect, it } from 'vitest';
import { runTask } from '../runtime/maybe-async.js';
import type { HttpRequest, HttpResponse } from '../services/http-client.js';
import { MAX_HTTP_REDIRECTS, sendFollowingRedirects } from './http-redirects.js';
import { proxyTargetProblem } from './proxy-target.js';

function scripted(answers: Record<string, HttpResponse>) {
  const sent: HttpRequest[] = [];
  return {
    sent,
    client: {
      send(request: HttpRequest): HttpResponse {
        sent.push(request);
        return answers[request.url] ?? { status: 200, headers: [], body: new Uint8Array() };
      },
    },
  };
}
const redirect = (status: number, location: string): HttpResponse => ({ status, headers: [['Location', location]], body: new Uint8Array() });
const first = (extra: Partial<HttpRequest> = {}): HttpRequest => ({
  url: 'https://a.test/start',
  method: 'POST',
  headers: [['Authorization', 'Bearer t'], ['Content-Type', 'text/plain'], ['X-Keep', '1']],
  body: new Uint8Array([1]),
  timeoutMs: null,
  ...extra,
});
const follow = (client: { send(r: HttpRequest): HttpResponse }, request: HttpRequest, hops: string[] = []) =>
  runTask(
    sendFollowingRedirects(client, request, function* (_from, to) {
      hops.push(to);
    }),
  ) as HttpResponse;

describe('redirects followed by hand (D19, reqwest rules)', () => {
  it('302 to another origin: GET without body or body headers, credentials dropped, hop checked', () => {
    const { client, sent } = scripted({ 'https://a.test/start': redirect(302, 'https://b.test/next') });
    const hops: string[] = [];
    expect(follow(client, first(), hops).status).toBe(200);
    expect(hops).toEqual(['https://b.test/next']);
    expect(sent[1]).toMatchObject({ url: 'https://b.test/next', method: 'GET', body: null, headers: [['X-Keep', '1']] });
  });

  it('307 on the same origin keeps method, body and credentials; a relative Location resolves', () => {
    const { client, sent } = scripted({ 'https://a.test/start': redirect(307, '/again') });
    follow(client, first());
    expect(sent[1]).toMatchObject({ url: 'https://a.test/again', method: 'POST', body: new Uint8Array([1]), headers: first().headers });
  });

  it('a 3xx without Location, or another 3xx, is the response', () => {
    const { client } = scripted({ 'https://a.test/start': { status: 302, headers: [], body: new Uint8Array() } });
    expect(follow(client, first()).status).toBe(302);
    const other = scripted({ 'https://a.test/start': redirect(300, '/x') });
    expect(follow(other.client, first()).status).toBe(300);
  });

  it(`more than ${MAX_HTTP_REDIRECTS} redirects fail`, () => {
    const { client, sent } = scripted({ 'https://a.test/start': redirect(301, '/start') });
    expect(() => follow(client, first())).toThrow(`too many redirects (more than ${MAX_HTTP_REDIRECTS})`);
    expect(sent.length).toBe(MAX_HTTP_REDIRECTS + 1);
  });
});

describe('proxy target confinement (D18)', () => {
  const prefix = 'https://sync.test/api/proxy/ai';
  const check = (proxyId: string, path: string) =>
    proxyTargetProblem(proxyId, path, `https://sync.test/api/proxy/${proxyId}`, path === '' ? `https://sync.test/api/proxy/${proxyId}` : `https://sync.test/api/proxy/${proxyId}/${path.replace(/^\/+/, '')}`);
  it.each([
    ['ai', ''],
    ['ai', 'v1/chat/completions'],
    ['ai', '/v1/models?limit=5&q=../x'],
    ['a.b_c-d', '...'],
    ['ai', 'files/a..b/%41'],
  ])('allows %j %j', (proxyId, path) => {
    expect(check(proxyId, path)).toBeNull();
  });
  it.each([
    ['..', ''],
    ['.', 'x'],
    ['a/b', ''],
    ['a%2e', ''],
    ['ai', '..'],
    ['ai', 'a/./b'],
    ['ai', '%2E%2e/x'],
    ['ai', 'a/%252E%252E/x'],
    ['ai', 'a\\b'],
    ['ai', 'a%5Cb'],
  ])('refuses %j %j', (proxyId, path) => {
    expect(check(proxyId, path)).toMatch(/refused/);
  });
  it('refuses a URL that the parser puts elsewhere', () => {
    expect(proxyTargetProblem('ai', 'x', prefix, 'https://other.test/api/proxy/ai/x')).toMatch(/outside/);
  });
});

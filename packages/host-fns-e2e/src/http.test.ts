import { allowAll, type HttpRequest, type HttpResponse, rulesChecker } from '@diaryx/host-fns';
import { describe, expect, it } from 'vitest';
import { loadProbe } from './probe.js';

function recordingClient(respond: (req: HttpRequest) => HttpResponse = () => ({ status: 200, headers: [], body: new Uint8Array() })) {
  const requests: HttpRequest[] = [];
  return { requests, client: { send: (req: HttpRequest) => (requests.push(req), respond(req)) } };
}

const request = (extra: object = {}) => ({ url: 'https://api.example.com/v1', method: 'POST', headers: {}, ...extra });

describe('host_http_request (AB-H18)', () => {
  it('without an HTTP client returns the stub, without parsing the input', async () => {
    const probe = await loadProbe({ permissions: allowAll });
    expect(await probe.call('host_http_request', 'not even json')).toBe(
      '{"body":"host_http_request: http feature not enabled","headers":{},"status":0}',
    );
  });

  it('sends the request and returns {status, headers, body, body_base64}; 4xx is a normal response', async () => {
    const { client, requests } = recordingClient(() => ({
      status: 404,
      headers: [['Content-Type', 'text/plain'], ['X-Dup', 'a'], ['x-dup', 'b'], ['X-Bin', 'caf\u00e9']],
      body: new TextEncoder().encode('nöt found'),
    }));
    const probe = await loadProbe({ http: client, permissions: allowAll });
    const out = JSON.parse(await probe.call('host_http_request', request({ headers: { A: '1' }, body: 'hi' })));
    expect(out).toEqual({
      status: 404,
      headers: { 'content-type': 'text/plain', 'x-dup': 'b' },
      body: 'nöt found',
      body_base64: Buffer.from('nöt found').toString('base64'),
    });
    expect(Object.keys(out)).toEqual(['status', 'headers', 'body', 'body_base64']);
    expect(requests[0]).toMatchObject({ url: 'https://api.example.com/v1', method: 'POST', headers: [['A', '1']], timeoutMs: null });
    expect(new TextDecoder().decode(requests[0]!.body!)).toBe('hi');
  });

  it('body_base64 wins over body; a bad body_base64 traps', async () => {
    const { client, requests } = recordingClient();
    const probe = await loadProbe({ http: client, permissions: allowAll });
    await probe.call('host_http_request', request({ body: 'text', body_base64: 'AAE=' }));
    expect([...requests[0]!.body!]).toEqual([0, 1]);
    expect(await probe.trap('host_http_request', request({ body_base64: 'A' }))).toContain('host_http_request: base64 decode:');
  });

  it('clamps timeout_ms to [1000, 300000]', async () => {
    const { client, requests } = recordingClient();
    const probe = await loadProbe({ http: client, permissions: allowAll });
    for (const timeout_ms of [5, 5_000, 9_999_999]) await probe.call('host_http_request', request({ timeout_ms }));
    expect(requests.map((r) => r.timeoutMs)).toEqual([1_000, 5_000, 300_000]);
  });

  it('checks headers before the permission, then http_requests by domain; denial traps', async () => {
    const { client, requests } = recordingClient();
    const rules = rulesChecker({ probe: { permissions: { http_requests: { include: ['example.com'], exclude: [] } } } });
    const probe = await loadProbe({ http: client, permissions: rules });
    expect(await probe.trap('host_http_request', request({ url: 'https://evil.test/', headers: { 'X-A': 'a\r\nb' } }))).toContain(
      "Invalid HTTP header: name or value contains forbidden characters (header: 'X-A')",
    );
    expect(await probe.trap('host_http_request', request({ url: 'https://evil.test/x' }))).toContain(
      "Permission not configured for plugin 'probe': http_requests on 'https://evil.test/x'",
    );
    await probe.call('host_http_request', request({ url: 'https://api.example.com/ok' }));
    expect(requests.map((r) => r.url)).toEqual(['https://api.example.com/ok']);
  });

  it('a transport failure traps with host_http_request: <error>', async () => {
    const probe = await loadProbe({
      http: { send: () => Promise.reject(new Error('getaddrinfo ENOTFOUND nowhere')) },
      permissions: allowAll,
    }, { runInWorker: true });
    try {
      expect(await probe.trap('host_http_request', request())).toContain('host_http_request: getaddrinfo ENOTFOUND nowhere');
    } finally {
      await probe.plugin.close();
    }
  });
});

describe('host_proxy_request (AB-H26)', () => {
  it('returns the stub without a client', async () => {
    expect(await (await loadProbe()).call('host_proxy_request', { proxy_id: 'p' })).toBe(
      '{"body":"host_proxy_request: http feature not enabled","headers":{},"status":0}',
    );
  });

  it('builds the URL from the runtime context, adds headers in order, needs no permission', async () => {
    const { client, requests } = recordingClient();
    const probe = await loadProbe({
      http: client,
      runtimeContext: { getContext: () => ({ server_url: 'https://sync.example.com//', auth_token: 'tok' }) },
    });
    await probe.call('host_proxy_request', { proxy_id: 'ai', path: '/v1/chat', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
    await probe.call('host_proxy_request', { proxy_id: 'ai' });
    expect(requests.map((r) => [r.url, r.method, r.timeoutMs])).toEqual([
      ['https://sync.example.com/api/proxy/ai/v1/chat', 'POST', 120_000],
      ['https://sync.example.com/api/proxy/ai', 'POST', 120_000],
    ]);
    expect(requests[0]!.headers).toEqual([
      ['Content-Type', 'application/json'],
      ['Authorization', 'Bearer tok'],
      ['Content-Type', 'text/plain'],
    ]);
  });

  it('traps when the runtime context has no server_url', async () => {
    const probe = await loadProbe({ http: recordingClient().client });
    expect(await probe.trap('host_proxy_request', { proxy_id: 'p' })).toContain(
      'host_proxy_request: server_url not available in runtime context',
    );
  });
});

describe('host_run_wasi_module (AB-H26)', () => {
  it('returns the stub without a runner', async () => {
    expect(await (await loadProbe()).call('host_run_wasi_module', 'x')).toBe(
      '{"exit_code":-1,"stderr":"host_run_wasi_module: wasi-runner feature not enabled","stdout":""}',
    );
  });

  it('runs the stored module through the runner; missing module and .. in files trap', async () => {
    const { MemoryPluginStorage } = await import('@diaryx/host-fns');
    const storage = new MemoryPluginStorage();
    storage.set('probe:tool', new Uint8Array([0, 97, 115, 109]));
    const seen: string[] = [];
    const probe = await loadProbe({
      storage,
      permissions: allowAll,
      wasi: {
        run: (req) => {
          seen.push(`${req.module.length} ${req.args.join(' ')} ${[...req.files.keys()].join(',')}`);
          return { exitCode: 3, stdout: new TextEncoder().encode('out'), stderr: new TextEncoder().encode('err'), files: new Map([['o.txt', new Uint8Array([1])]]) };
        },
      },
    });
    expect(await probe.call('host_run_wasi_module', { module_key: 'tool', args: ['-v'], files: { '/in/a.txt': 'aGk=' } })).toBe(
      '{"exit_code":3,"stdout":"b3V0","stderr":"err","files":{"o.txt":"AQ=="}}',
    );
    expect(seen).toEqual(['4 -v in/a.txt']);
    expect(await probe.trap('host_run_wasi_module', { module_key: 'nope', args: [] })).toContain('module not found in storage: nope');
    expect(await probe.trap('host_run_wasi_module', { module_key: 'tool', args: [], files: { '../x': '' } })).toContain('Path traversal');
  });
});

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHostContext } from '../context.js';
import { nodeHostServices } from './node-host-services.js';

const dir = mkdtempSync(join(tmpdir(), 'diaryx-services-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('nodeHostServices: Rust\'s services for a data folder', () => {
  it('puts storage in plugin-state/ and secrets in plugin-secrets/, as the Rust CLI lays out <workspace>/.diaryx', async () => {
    const data = join(dir, '.diaryx');
    const services = nodeHostServices(data);
    expect(readdirSync(data).sort()).toEqual(['plugin-secrets', 'plugin-state']);
    services.storage.set('acme.sync:doc', new Uint8Array([1, 2]));
    await services.secrets.set('acme.sync:token', 't');
    expect([...readFileSync(join(data, 'plugin-state', 'acme.sync_doc.bin'))]).toEqual([1, 2]);
    expect(readFileSync(join(data, 'plugin-secrets', 'acme.sync_token.secret'), 'utf8')).toBe('t');
    expect(typeof services.wasi.run).toBe('function');
    expect(services.ws).toBeUndefined();
  });

  it('adds the WebSocket bridge when given the plugins to call back, and spreads into createHostContext', () => {
    const services = nodeHostServices(join(dir, 'other'), { guests: () => null });
    const host = createHostContext(services);
    expect(host.ws).toBe(services.ws);
    expect(host.storage).toBe(services.storage);
    expect(() => host.ws.request('{"type":"connect","server_url":"ws://127.0.0.1:9","workspace_id":"w"}', 'p')).toThrow(
      "plugin 'p' cannot receive sync callbacks",
    );
  });
});

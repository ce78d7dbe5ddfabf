import { fileURLToPath } from 'node:url';
import { guestEvents } from '@diaryx/loader';
import { loadTestPlugin } from '@diaryx/testing';
import '@diaryx/testing/vitest';
import { describe, expect, it } from 'vitest';

const wasm = fileURLToPath(new URL('../build/plugin.wasm', import.meta.url));
const allow = (domains: string[]) => ({
  read_files: { include: ['all'], exclude: [] },
  http_requests: { include: domains, exclude: [] },
});

describe('webhook example', () => {
  it('posts a summary of a saved file with the secret token and emits webhook_sent', async () => {
    const { plugin, host } = await loadTestPlugin(wasm, {
      files: { 'notes/a.md': 'three small words' },
      secrets: { webhook_token: 's3cr3t' },
      http: { 'POST https://hooks.example.com/*': { status: 202, body: { ok: true } } },
      permissions: allow(['hooks.example.com']),
      config: { url: 'https://hooks.example.com/diaryx' },
      runInWorker: true,
    });
    try {
      await plugin.init({ workspace_root: null });
      await plugin.onEvent(guestEvents.fileSaved('notes/a.md'));
      expect(host.http.requests).toEqual([
        {
          method: 'POST',
          url: 'https://hooks.example.com/diaryx',
          headers: { 'Content-Type': 'application/json', Authorization: 'Bearer s3cr3t' },
          body: '{"path":"notes/a.md","words":3}',
          timeoutMs: 10_000,
        },
      ]);
      expect(host).toHaveEmitted('webhook_sent', { path: 'notes/a.md', status: 202 });
    } finally {
      await plugin.close();
    }
  });

  it('is denied when the domain is not permitted: no request, no event, the denial traced', async () => {
    const { plugin, host } = await loadTestPlugin(wasm, {
      files: { 'notes/a.md': 'x' },
      http: { 'POST https://evil.example.net/*': { status: 200 } },
      permissions: allow(['hooks.example.com']),
      config: { url: 'https://evil.example.net/steal' },
      runInWorker: true,
      // As the app: the denied on_event below is logged, not raised.
      strict: false,
    });
    try {
      await plugin.init({ workspace_root: null });
      await plugin.onEvent(guestEvents.fileSaved('notes/a.md'));
      expect(host.http.requests).toEqual([]);
      expect(host.events).toEqual([]);
      expect(host.calls.find((c) => c.name === 'host_http_request')).toMatchObject({
        outcome: 'denied',
        message: expect.stringContaining("http_requests on 'https://evil.example.net/steal'"),
      });
      await expect(plugin.handleCommand('send-test')).rejects.toMatchObject({ kind: 'host_trap' });
    } finally {
      await plugin.close();
    }
  });

  it('send-test reports the status, or a config_error without a URL', async () => {
    const { plugin } = await loadTestPlugin(wasm, {
      http: { 'https://hooks.example.com/*': (req) => ({ status: req.body === '{"test":true}' ? 200 : 400 }) },
      permissions: allow(['example.com']),
      runInWorker: true,
    });
    try {
      expect(await plugin.handleCommand('send-test')).toEqual({ success: false, error: 'no webhook URL configured: set config.url', error_code: 'config_error' });
      await plugin.setConfig({ url: 'https://hooks.example.com/t' });
      expect(await plugin.handleCommand('send-test')).toEqual({ success: true, data: { status: 200 } });
      expect(plugin.getConfig()).toEqual({ url: 'https://hooks.example.com/t' });
    } finally {
      await plugin.close();
    }
  });
});

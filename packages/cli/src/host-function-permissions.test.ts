// The table of host-function permissions against the real host functions: each function,
// called with a deny-all fake host, is denied naming exactly the permission the table gives it,
// and no function outside the table is denied at all.
import { HOST_FUNCTION_NAMES } from '@diaryx/host-fns';
import { compileWat, probeWat } from '@diaryx/test-utils';
import { loadTestPlugin } from '@diaryx/testing';
import { describe, expect, it } from 'vitest';
import { HOST_FUNCTION_PERMISSIONS, permissionGaps } from './host-function-permissions.js';

/** An input each host function accepts (denial comes after parsing). */
const INPUTS: Record<string, unknown> = {
  host_log: { level: 'info', message: 'm' },
  host_read_file: { path: 'a.md' },
  host_read_binary: { path: 'a.md' },
  host_list_files: { prefix: '' },
  host_file_exists: { path: 'a.md' },
  host_file_metadata: { path: 'a.md' },
  host_hash_file: { path: 'a.md' },
  host_write_file: { path: 'new.md', content: 'x' },
  host_write_binary: { path: 'new.bin', content: '' },
  host_delete_file: { path: 'a.md' },
  host_storage_get: { key: 'k' },
  host_storage_set: { key: 'k', data: '' },
  host_secret_get: { key: 'k' },
  host_secret_set: { key: 'k', value: 'v' },
  host_secret_delete: { key: 'k' },
  host_http_request: { url: 'https://example.com/', method: 'GET', headers: {} },
  host_plugin_command: { plugin_id: 'other', command: 'x', params: null },
  host_request_file: { key: 'k' },
  host_run_wasi_module: { module_key: 'm', args: [] },
  host_namespace_put_object: { ns_id: 'n', key: 'k', body_base64: '', mime_type: 'text/plain', audience: 'a' },
  host_namespace_delete_object: { ns_id: 'n', key: 'k' },
  host_namespace_list_objects: { ns_id: 'n' },
  host_namespace_sync_audience: { ns_id: 'n', audience: 'a', access: 'public' },
  host_namespace_send_email: { ns_id: 'n', audience: 'a', subject: 's' },
  host_proxy_request: { proxy_id: 'p' },
};

describe('the host-function permission table (PROTOCOL §4.2)', () => {
  it('matches the permission each real host function checks', async () => {
    const manifest = JSON.stringify({ id: 'test.probe', name: 'Probe', version: '1', description: 'd', capabilities: [] });
    const { plugin, host } = await loadTestPlugin(await compileWat(probeWat(manifest, HOST_FUNCTION_NAMES)), {
      permissions: 'deny-all',
      files: { 'a.md': 'text' },
      strict: false,
    });
    const denied: Record<string, string> = {};
    for (const name of HOST_FUNCTION_NAMES) {
      host.calls.splice(0);
      await plugin.call(`probe_${name}`, JSON.stringify(INPUTS[name] ?? {})).catch(() => null);
      const denial = host.calls.find((c) => c.name === name && c.outcome === 'denied');
      if (denial) denied[name] = /\((\w+) on '/.exec(denial.message ?? '')?.[1] ?? denial.message ?? '';
    }
    const expected = Object.fromEntries(
      Object.entries(HOST_FUNCTION_PERMISSIONS)
        // Without a WASI runner the host answers a stub and checks nothing (§4.20).
        .filter(([name]) => name !== 'host_run_wasi_module')
        // A write to a file that does not exist is judged as create_files.
        .map(([name, keys]) => [name, keys[0]!]),
    );
    expect(denied).toEqual(expected);
  });

  it('permissionGaps: a missing read_files is an error naming the function and the fix; a missing plugin_storage a warning', () => {
    const manifest = { requested_permissions: { defaults: { create_files: { include: ['all'], exclude: [] } }, reasons: {} } } as never;
    const gaps = permissionGaps(['host_read_file', 'host_write_file', 'host_storage_set', 'host_log'], manifest);
    expect(gaps.errors).toEqual([
      'host_read_file needs read_files, which the manifest does not request, so Diaryx denies it; add "read_files": {"include": ["all"], "exclude": []} to requested_permissions.defaults, with a reason',
    ]);
    expect(gaps.warnings).toEqual([expect.stringMatching(/^host_storage_set needs plugin_storage, which the manifest does not request: Diaryx grants it unless the workspace excludes it, but the app shows users only what a plugin requests/)]);
  });
});

import { describe, expect, it } from 'vitest';
import { HOST_FUNCTION_NAMES } from './registry.js';

describe('the registry', () => {
  it('registers exactly the 31 host functions of diaryx_extism 1.4.1, in the protocol order', () => {
    expect(HOST_FUNCTION_NAMES).toEqual([
      'host_log', 'host_read_file', 'host_read_binary', 'host_list_files', 'host_workspace_file_set',
      'host_file_exists', 'host_file_metadata', 'host_write_file', 'host_delete_file', 'host_write_binary',
      'host_emit_event', 'host_storage_get', 'host_storage_set', 'host_secret_get', 'host_secret_set',
      'host_secret_delete', 'host_get_timestamp', 'host_get_now', 'host_http_request', 'host_run_wasi_module',
      'host_request_file', 'host_plugin_command', 'host_get_runtime_context', 'host_namespace_put_object',
      'host_namespace_delete_object', 'host_namespace_list_objects', 'host_namespace_sync_audience',
      'host_namespace_send_email', 'host_ws_request', 'host_hash_file', 'host_proxy_request',
    ]);
  });
});

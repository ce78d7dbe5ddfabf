// Which permission each host function checks (PROTOCOL §4.2), so `check` can tell, without
// running anything, that a plugin uses a host function whose permission its manifest does not
// request. host-function-permissions.test.ts checks the table against the real host functions.
import type { PermissionKey } from '@diaryx/host-fns';
import type { GuestManifest } from '@diaryx/loader';

/**
 * The permission a host function checks; for the two writers either of two (a new file needs
 * `create_files`, an existing one `edit_files`). Host functions missing here check none.
 */
export const HOST_FUNCTION_PERMISSIONS: Readonly<Record<string, readonly PermissionKey[]>> = {
  host_read_file: ['read_files'],
  host_read_binary: ['read_files'],
  host_list_files: ['read_files'],
  host_workspace_file_set: ['read_files'],
  host_file_exists: ['read_files'],
  host_file_metadata: ['read_files'],
  host_hash_file: ['read_files'],
  host_write_file: ['create_files', 'edit_files'],
  host_write_binary: ['create_files', 'edit_files'],
  host_delete_file: ['delete_files'],
  host_storage_get: ['plugin_storage'],
  host_storage_set: ['plugin_storage'],
  host_secret_get: ['plugin_storage'],
  host_secret_set: ['plugin_storage'],
  host_secret_delete: ['plugin_storage'],
  // Only where the host has a WASI runner (the Tauri app); without one it answers a stub.
  host_run_wasi_module: ['plugin_storage'],
  host_http_request: ['http_requests'],
  host_plugin_command: ['execute_commands'],
};

/** What `check` says about the permissions the host functions a plugin uses need. */
export interface PermissionGaps {
  /** A host function whose permission is not requested: the app denies it (fails `check`). */
  errors: string[];
  /** `plugin_storage` not requested: Rust grants it anyway, but users see only what is requested. */
  warnings: string[];
}

/**
 * Compares the host functions a plugin uses (imports, or the ones a js-runtime plugin's code
 * references) with the permissions its manifest requests.
 */
export function permissionGaps(hostFunctions: readonly string[], manifest: GuestManifest): PermissionGaps {
  const requested = new Set(Object.keys(manifest.requested_permissions?.defaults ?? {}));
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const name of hostFunctions) {
    const keys = HOST_FUNCTION_PERMISSIONS[name];
    if (keys === undefined || keys.some((key) => requested.has(key))) continue;
    const needs = keys.length === 1 ? keys[0]! : `${keys.join(' or ')} (a new file needs create_files, an existing one edit_files)`;
    const add = `add "${keys[0]}": {"include": ["all"], "exclude": []} to requested_permissions.defaults, with a reason`;
    if (keys[0] === 'plugin_storage') {
      warnings.push(
        `${name} needs plugin_storage, which the manifest does not request: Diaryx grants it unless the workspace excludes it, ` +
          `but the app shows users only what a plugin requests; ${add}`,
      );
    } else {
      errors.push(`${name} needs ${needs}, which the manifest does not request, so Diaryx denies it; ${add}`);
    }
  }
  return { errors, warnings };
}

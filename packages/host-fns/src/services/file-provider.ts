import type { MaybePromise } from '../runtime/maybe-async.js';

/**
 * Files the host hands to a plugin on request (`host_request_file`): a file picker, a CLI
 * argument. The provider decides what a key means; there is no permission check.
 */
export interface FileProvider {
  getFile(pluginId: string, key: string): MaybePromise<Uint8Array | null | undefined>;
}

/** The default: no files. */
export const noopFileProvider: FileProvider = { getFile: () => null };

/** Rust `MapFileProvider`: looks the key up in a map and ignores the plugin id. */
export function mapFileProvider(files: ReadonlyMap<string, Uint8Array> | Record<string, Uint8Array>): FileProvider {
  const map = files instanceof Map ? files : new Map(Object.entries(files));
  return { getFile: (_pluginId, key) => map.get(key) ?? null };
}

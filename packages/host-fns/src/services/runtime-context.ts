import type { MaybePromise } from '../runtime/maybe-async.js';

/**
 * The app's runtime context for a plugin (`host_get_runtime_context`, and the workspace path
 * and server URL used by `host_workspace_file_set` and `host_proxy_request`). Apps use the shape
 * `{server_url, auth_token, current_workspace: {id, path, provider_links}}`.
 */
export interface RuntimeContextProvider {
  getContext(pluginId: string): MaybePromise<Record<string, unknown>>;
}

/** The default, as in Rust: `{}`. */
export const noopRuntimeContextProvider: RuntimeContextProvider = { getContext: () => ({}) };

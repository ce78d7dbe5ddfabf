// The Node hosting example of docs/hosting.md: load a plugin from a folder, serve a real
// workspace, grant its requested permissions, send an event and run a command. Run by
// packages/js-runtime/test/docs-examples.test.ts.
// #region host-node
import { readFile } from 'node:fs/promises';
import { createHostContext, MemoryPluginStorage, nodeWorkspaceFs, type PluginPermissions, rulesChecker } from '@diaryx/host-fns';
import { loadPlugin } from '@diaryx/loader';

export async function tagsOfFolder(wasmPath: string, workspace: string): Promise<unknown> {
  let granted: PluginPermissions = {}; // filled from the manifest once it is read: what the user agreed to
  const host = createHostContext({
    fs: nodeWorkspaceFs(workspace),
    storage: new MemoryPluginStorage(),
    permissions: { check: (id, key, target) => rulesChecker({ [id]: { permissions: granted } }, { workspaceRoot: workspace }).check(id, key, target) },
  });
  const plugin = await loadPlugin(new Uint8Array(await readFile(wasmPath)), host, { runInWorker: true, timeoutMs: 5_000 });
  try {
    granted = plugin.manifest.requested_permissions?.defaults ?? {};
    await plugin.init({ workspace_root: workspace });
    await plugin.onEvent({ event_type: 'file_saved', payload: { path: 'a.md' } });
    return await plugin.handleCommand('tags.list', {});
  } finally {
    await plugin.close();
  }
}
// #endregion host-node

// A desktop app's host: the workspace folder, its root index's permissions, and the services the
// Rust host ships (storage and secrets on disk in Rust's layout, the WASI runner, the sync
// transport's WebSocket). Run by packages/js-runtime/test/docs-examples.test.ts.
// #region host-services
import { join } from 'node:path';
import { frontmatterChecker, nodeHostServices, syncTransportGuests } from '@diaryx/host-fns';
import { type LoadedPlugin, loadPluginsFromDir } from '@diaryx/loader';

export async function openWorkspace(workspace: string): Promise<{ plugins: LoadedPlugin[]; close(): Promise<void> }> {
  let plugins: LoadedPlugin[] = [];
  const fs = nodeWorkspaceFs(workspace);
  // .diaryx/plugin-state/<key>.bin and .diaryx/plugin-secrets/<key>.secret, as the Rust CLI keeps them.
  const services = nodeHostServices(join(workspace, '.diaryx'), { guests: syncTransportGuests(() => plugins) });
  const host = createHostContext({ fs, permissions: frontmatterChecker(fs), ...services });
  ({ plugins } = await loadPluginsFromDir(join(workspace, '.diaryx', 'plugins'), host));
  for (const plugin of plugins) await plugin.init({ workspace_root: workspace });
  return {
    plugins,
    async close() {
      services.ws?.close(); // ends the plugins' sync connections
      await Promise.all(plugins.map((plugin) => plugin.close()));
    },
  };
}
// #endregion host-services

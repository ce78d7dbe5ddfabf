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

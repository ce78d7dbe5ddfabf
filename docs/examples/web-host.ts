// The web page of docs/hosting.md: plugins fetched by URL, each inspected before it is
// installed (what it asks for, whether this app can run it), a workspace the page keeps
// itself, and failures the UI can show. packages/browser-e2e's page runs it in Chromium.
// #region web-host
import { askingChecker, createHostContext, type PermissionAsker, type PluginsConfig, rulesChecker, type WorkspaceFileSystem } from '@diaryx/host-fns';
import { createPluginHost, inspectManifest, type PluginHost, type PluginSource } from '@diaryx/loader';

export interface WebUi {
  /** Asks the user about a permission the plugin did not ask for at install. */
  ask: PermissionAsker;
  notify(text: string): void;
  pluginEvent(pluginId: string, event: string): void;
}

export async function openWebHost(fs: WorkspaceFileSystem, urls: readonly string[], ui: WebUi, timeoutMs = 10_000): Promise<PluginHost> {
  // Installing: the user sees what each plugin asks for and grants it (here: all of it).
  const granted: PluginsConfig = {};
  const sources: PluginSource[] = [];
  for (const url of urls) {
    const wasm = new Uint8Array(await (await fetch(url)).arrayBuffer());
    const { manifest, requestedPermissions, incompatibility } = await inspectManifest(wasm);
    if (incompatibility) {
      ui.notify(incompatibility.userMessage);
      continue;
    }
    granted[manifest.id] = { permissions: requestedPermissions };
    sources.push({ name: manifest.id, wasm });
  }
  const plugins = createPluginHost({
    plugins: sources,
    timeoutMs,
    host: createHostContext({
      fs,
      permissions: askingChecker(rulesChecker(granted), ui.ask),
      events: { emit: (text, pluginId) => ui.pluginEvent(pluginId, text) },
    }),
  });
  for (const type of ['failed', 'crashed', 'timeout'] as const) {
    plugins.addEventListener(type, (event) => ui.notify(event.detail.error.userMessage));
  }
  await plugins.load();
  return plugins;
}
// #endregion web-host

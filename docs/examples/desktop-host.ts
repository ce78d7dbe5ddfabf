// The desktop host of docs/hosting.md: a workspace folder with its plugins in
// .diaryx/plugins, permissions from the root index (asking the user about the rest), file events
// from a watcher, reloads when a plugin.wasm changes, and failures the UI can show. The trial
// app of packages/loader/src/host/desktop-trial.test.ts drives it in a child process.
// #region desktop-host
import { join } from 'node:path';
import { askingChecker, createHostContext, frontmatterChecker, nodeHttpClient, nodeWorkspaceFs, type PermissionAsker } from '@diaryx/host-fns';
import { createPluginHost, type PluginHost, quietWasiWarning, watchPluginsDir, watchWorkspace } from '@diaryx/loader';

/** What the app's UI does for the plugins. */
export interface DesktopUi {
  /** Asks the user whether a plugin may use a permission the root index says nothing about. */
  ask: PermissionAsker;
  /** Shows a short message (a failure, a crash); never a path or a stack. */
  notify(text: string): void;
  /** Receives what a plugin emits (`host_emit_event`). */
  pluginEvent(pluginId: string, event: string): void;
}

export interface DesktopHost {
  plugins: PluginHost;
  /** Stops the watchers and shuts the plugins down, last loaded first. */
  close(): Promise<void>;
}

export async function openDesktopHost(workspace: string, ui: DesktopUi, timeoutMs = 10_000): Promise<DesktopHost> {
  quietWasiWarning(); // Node's "WASI is experimental" line, printed when the first plugin starts
  const fs = nodeWorkspaceFs(workspace);
  const pluginsDir = join(workspace, '.diaryx', 'plugins');
  const plugins = createPluginHost({
    pluginsDir,
    // Storage and secrets in .diaryx/plugin-state and .diaryx/plugin-secrets (the Rust CLI's layout), WASI, the sync bridge.
    dataDir: join(workspace, '.diaryx'),
    workspaceRoot: workspace,
    timeoutMs,
    host: createHostContext({
      fs,
      permissions: askingChecker(frontmatterChecker(fs), ui.ask),
      http: nodeHttpClient(),
      events: { emit: (text, pluginId) => ui.pluginEvent(pluginId, text) },
    }),
  });
  for (const type of ['failed', 'crashed', 'timeout'] as const) {
    plugins.addEventListener(type, (event) => ui.notify(event.detail.error.userMessage));
  }
  await plugins.load();
  // File events for every plugin (.diaryx is a dot-folder: never an event), and reloads.
  const files = watchWorkspace(workspace, plugins);
  const builds = watchPluginsDir(pluginsDir, plugins);
  await Promise.all([files.ready, builds.ready]);
  return {
    plugins,
    async close() {
      await builds.close();
      await files.close();
      await plugins.shutdown();
    },
  };
}
// #endregion desktop-host

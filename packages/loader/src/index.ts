// The Node entry: everything portable, plus plugins folders, manifest.json and config.json files.
export * from './core.js';
// Node's createPluginHost also takes a plugins folder; it replaces the portable one here.
export { createPluginHost, type NodePluginHostOptions } from './node/create-plugin-host.js';
export { type LoadPluginOptions } from './options.js';
export { loadPlugin } from './node/load-plugin.js';
export {
  loadPluginFolder,
  loadPluginsFromDir,
  type LoadPluginFolderOptions,
  type LoadPluginsResult,
  type PluginLoadFailure,
} from './node/load-plugins-from-dir.js';
export { inspectPluginWasmManifest } from './node/inspect.js';
export { quietWasiWarning } from './node/quiet-wasi-warning.js';
export { type WatchWorkspaceOptions, watchWorkspace, type WorkspaceEventSink, type WorkspaceWatcher } from './node/watch-workspace.js';
export { type PluginsDirWatcher, type WatchPluginsDirOptions, watchPluginsDir } from './node/watch-plugins-dir.js';

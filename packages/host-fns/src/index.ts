// The Node entry: everything portable, plus what needs Node: the workspace as a folder on disk,
// file-backed storage and secrets, the WASI runner, and nodeHostServices that bundles them.
export * from './core.js';
export { nodeWorkspaceFs } from './node/node-workspace-fs.js';
export { WorkspacePathError } from './node/opened-folder.js';
export { type NodeHttpClientOptions, nodeHttpClient } from './node/node-http-client.js';
export { FilePluginSecretStore, FilePluginStorage, type FileStoreOptions } from './node/file-stores.js';
export { sanitizeStorageKey } from './node/key-file-folder.js';
export { type NodeWasiRunnerOptions, nodeWasiRunner } from './node/node-wasi-runner.js';
export {
  type NodeHostServices,
  nodeHostServices,
  type NodeHostServicesOptions,
  PLUGIN_SECRETS_FOLDER,
  PLUGIN_STATE_FOLDER,
} from './node/node-host-services.js';

// The Node entry: everything portable, plus the workspace as a folder on disk.
export * from './core.js';
export { nodeWorkspaceFs } from './node/node-workspace-fs.js';
export { WorkspacePathError } from './node/opened-folder.js';
export { type NodeHttpClientOptions, nodeHttpClient } from './node/node-http-client.js';
export { FilePluginSecretStore, FilePluginStorage, type FileStoreOptions } from './node/file-stores.js';
export { sanitizeStorageKey } from './node/key-file-folder.js';
export { type NodeWasiRunnerOptions, nodeWasiRunner } from './node/node-wasi-runner.js';

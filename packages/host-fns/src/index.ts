// The Node entry: everything portable, plus the workspace as a folder on disk.
export * from './core.js';
export { nodeWorkspaceFs } from './node/node-workspace-fs.js';
export { WorkspacePathError } from './node/opened-folder.js';
export { type NodeHttpClientOptions, nodeHttpClient } from './node/node-http-client.js';

// The Node entry: everything portable, plus the workspace as a folder on disk.
import { parse } from 'yaml';
import { installYamlParser } from './util/yaml-parser.js';

export * from './core.js';

// Node code reads frontmatter synchronously from the start (a page loads the parser on demand).
installYamlParser(parse);
export { nodeWorkspaceFs } from './node/node-workspace-fs.js';
export { WorkspacePathError } from './node/opened-folder.js';
export { type NodeHttpClientOptions, nodeHttpClient } from './node/node-http-client.js';

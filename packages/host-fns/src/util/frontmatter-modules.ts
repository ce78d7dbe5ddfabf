// What the host functions need of the frontmatter modules (they bring the YAML parser), loaded
// on demand through frontmatter-on-demand.ts so that a page that never reads frontmatter never
// downloads it.
export { parseFrontmatter } from './frontmatter.js';
export { frontmatterWorkspaceFileSet } from '../services/frontmatter-file-set.js';

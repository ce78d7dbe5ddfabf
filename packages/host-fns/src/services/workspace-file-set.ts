import type { MaybePromise } from '../runtime/maybe-async.js';
import type { WorkspaceFileSystem } from './workspace-fs.js';

/**
 * Computes the workspace file set for `host_workspace_file_set`: the root index, every markdown
 * file reachable through `contents`, and their attachments, as sorted workspace-relative paths.
 * Throw with the plain-text message the guest should receive.
 */
export interface WorkspaceFileSetProvider {
  fileSet(fs: WorkspaceFileSystem, workspacePath: string): MaybePromise<string[]>;
}

import { defineHostFunction } from '../runtime/define.js';
import { wait } from '../runtime/maybe-async.js';
import { toWorkspacePath } from '../runtime/path-guard.js';
import { frontmatterWorkspaceFileSet } from '../services/frontmatter-file-set.js';
import { errorMessage } from '../util/error-message.js';

/**
 * `host_workspace_file_set` (input ignored) → JSON array of the workspace's files (see
 * {@link frontmatterWorkspaceFileSet}). Every failure is returned as plain text, never a trap.
 */
export const hostWorkspaceFileSet = defineHostFunction('host_workspace_file_set', function* (call) {
  const context = yield* wait(call.context.runtimeContext.getContext(call.pluginId));
  const current = context['current_workspace'];
  const path = current !== null && typeof current === 'object' ? (current as Record<string, unknown>)['path'] : undefined;
  if (typeof path !== 'string' || path.trim() === '') return 'host_workspace_file_set: missing current_workspace.path';
  const relative = toWorkspacePath(path, call.context.fs.root) ?? path;
  const decision = yield* call.permission('read_files', relative);
  if (!decision.allowed) return decision.message;
  const provider = call.context.workspaceFileSet ?? frontmatterWorkspaceFileSet;
  try {
    return JSON.stringify(yield* wait(provider.fileSet(call.context.fs, relative)));
  } catch (error) {
    return `host_workspace_file_set: ${errorMessage(error)}`;
  }
});

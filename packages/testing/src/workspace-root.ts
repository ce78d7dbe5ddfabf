import type { GuestEvent, PluginContext } from '@diaryx/loader';
import { guestEvents } from '@diaryx/loader';

/** The fake host's workspace root when no `workspaceRoot` option is given. */
export const DEFAULT_WORKSPACE_ROOT = '/workspace';

/**
 * Checks and normalises a declared workspace root: it must be absolute (`/…`, or a Windows
 * drive such as `C:/…`); trailing slashes are dropped (`/` stays `/`).
 * @throws TypeError naming the option and the value
 */
export function declaredWorkspaceRoot(root: string = DEFAULT_WORKSPACE_ROOT, option = 'workspaceRoot'): string {
  const slashed = root.replace(/\\/g, '/');
  if (!slashed.startsWith('/') && !/^[A-Za-z]:\//.test(slashed)) {
    throw new TypeError(`${option} must be an absolute path such as '${DEFAULT_WORKSPACE_ROOT}', got ${JSON.stringify(root)}`);
  }
  return slashed.length > 1 ? slashed.replace(/\/+$/, '') || '/' : slashed;
}

/** What `init` receives for a workspace root (`{"workspace_root": root}`, protocol §3.7). */
export function initContext(workspaceRoot: string): PluginContext {
  return { workspace_root: workspaceRoot };
}

/**
 * One event of each of the eight types (§3.5), the workspace events naming `workspaceRoot` and
 * the file events naming workspace-relative paths under it (`README.md`, `notes/a.md`).
 */
export function sampleEvents(workspaceRoot: string): GuestEvent[] {
  return [
    guestEvents.workspaceOpened(workspaceRoot),
    guestEvents.workspaceClosed(workspaceRoot),
    guestEvents.workspaceChanged(workspaceRoot, ['notes/a.md']),
    guestEvents.workspaceCommitted(workspaceRoot),
    guestEvents.fileSaved('notes/a.md'),
    guestEvents.fileCreated('notes/a.md'),
    guestEvents.fileDeleted('notes/a.md'),
    guestEvents.fileMoved('notes/a.md', 'notes/b.md'),
  ];
}

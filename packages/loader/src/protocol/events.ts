import type { GuestEvent } from './types.js';

/**
 * Builders for the eight events the app sends (§3.5), with the exact payload shapes:
 * `await plugin.onEvent(guestEvents.fileSaved('notes/a.md'))`.
 */
export const guestEvents = {
  workspaceOpened: (workspaceRoot: string): GuestEvent => ({ event_type: 'workspace_opened', payload: { workspace_root: workspaceRoot } }),
  workspaceClosed: (workspaceRoot: string): GuestEvent => ({ event_type: 'workspace_closed', payload: { workspace_root: workspaceRoot } }),
  workspaceChanged: (workspaceRoot: string, changedPaths: string[]): GuestEvent => ({
    event_type: 'workspace_changed',
    payload: { changed_paths: changedPaths, workspace_root: workspaceRoot },
  }),
  workspaceCommitted: (workspaceRoot: string): GuestEvent => ({ event_type: 'workspace_committed', payload: { workspace_root: workspaceRoot } }),
  fileSaved: (path: string): GuestEvent => ({ event_type: 'file_saved', payload: { path } }),
  fileCreated: (path: string): GuestEvent => ({ event_type: 'file_created', payload: { path } }),
  fileDeleted: (path: string): GuestEvent => ({ event_type: 'file_deleted', payload: { path } }),
  fileMoved: (oldPath: string, newPath: string): GuestEvent => ({ event_type: 'file_moved', payload: { new_path: newPath, old_path: oldPath } }),
} as const;

import { type FSWatcher, watch } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { HostContext } from '@diaryx/host-fns';
import { asyncDisposeSymbol } from '../loaded-plugin.js';
import { guestEvents } from '../protocol/events.js';
import type { GuestEvent } from '../protocol/types.js';

/** Where a workspace watcher sends its events: a `PluginHost`, or anything with the same two members. */
export interface WorkspaceEventSink {
  /** Receives each event, one at a time (a `PluginHost` sends it to every plugin). */
  broadcast(event: GuestEvent): unknown;
  /** The host context whose `recentWrites` tell the plugins' own changes from the user's. */
  readonly context: Pick<HostContext, 'recentWrites'>;
}

/** Options of {@link watchWorkspace}. */
export interface WatchWorkspaceOptions {
  /** Quiet time in ms after the last file-system notification before the changes are sent (default 150). */
  debounceMs?: number;
  /**
   * Folders inside the workspace whose changes are not events, absolute or workspace-relative:
   * the app's plugins folder, say. Dot-folders and dot-files (`.diaryx`, `.git`, the hidden
   * temporary files of atomic writes) are always left out.
   */
  ignore?: readonly string[];
  /** Told when sending an event failed (the sink threw); the watcher goes on. Default: ignored. */
  onError?: (error: unknown, event: GuestEvent) => void;
}

/** A running workspace watcher. */
export interface WorkspaceWatcher {
  /** Resolves once the watcher knows the workspace's files (changes before it are not sent). */
  readonly ready: Promise<void>;
  /** Stops watching; resolves once the events already collected are sent. */
  close(): Promise<void>;
  /** `await using watcher = watchWorkspace(…)` closes it at the end of the block. */
  [asyncDisposeSymbol](): Promise<void>;
}

interface Known {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
}

/** What a flush found for one path. */
type Change = { kind: 'saved' | 'created'; path: string; now: Known } | { kind: 'deleted'; path: string; was: Known };

const toSlashes = (path: string) => path.split(sep).join('/');
const hidden = (path: string) => path.split('/').some((part) => part.startsWith('.'));

async function fileInfo(path: string): Promise<{ file: Known | null; dir: boolean }> {
  const info = await stat(path, { bigint: true }).catch(() => null);
  if (info === null) return { file: null, dir: false };
  if (info.isDirectory()) return { file: null, dir: true };
  return { file: info.isFile() ? { dev: info.dev, ino: info.ino, size: info.size, mtimeNs: info.mtimeNs } : null, dir: false };
}

/**
 * Watches a workspace folder and sends the file events the app sends (PROTOCOL §3.5, §8.4) to a
 * plugin host: `file_created`, `file_saved`, `file_deleted`, and `file_moved` when a file
 * disappears and one with the same identity (device and inode) appears in the same burst of
 * changes: a rename. Changes within `debounceMs` of each other are sent together, one event per
 * file. Left out: dot-folders and dot-files, the `ignore` folders, and the changes plugins made
 * themselves through host functions (a file whose bytes are what a plugin last wrote there, a
 * file a plugin deleted: the host context's `recentWrites`), so a plugin that rewrites a file
 * when it hears of a save is not sent its own write back.
 *
 * @example
 * const plugins = createPluginHost({ pluginsDir: join(root, '.diaryx/plugins'), host, workspaceRoot: root });
 * await plugins.load();
 * const watcher = watchWorkspace(root, plugins);
 * await watcher.ready;
 */
export function watchWorkspace(root: string, sink: WorkspaceEventSink, options: WatchWorkspaceOptions = {}): WorkspaceWatcher {
  const debounceMs = options.debounceMs ?? 150;
  const known = new Map<string, Known>();
  const pending = new Set<string>();
  let folder = resolve(root);
  let ignored: string[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let firstPending = 0;
  let watcher: FSWatcher | null = null;
  let closed = false;
  let sending: Promise<void> = Promise.resolve();

  const isIgnored = (path: string) => path === '' || hidden(path) || ignored.some((dir) => path === dir || path.startsWith(`${dir}/`));

  async function walk(dir: string, into: Map<string, Known>): Promise<void> {
    for (const entry of await readdir(join(folder, dir), { withFileTypes: true }).catch(() => [])) {
      const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (isIgnored(path)) continue;
      if (entry.isDirectory()) await walk(path, into);
      else if (entry.isFile()) {
        const { file } = await fileInfo(join(folder, path));
        if (file) into.set(path, file);
      }
    }
  }

  /** What changed among the pending paths (a folder stands for everything in and under it). */
  async function changes(paths: readonly string[]): Promise<Change[]> {
    const files = new Set<string>();
    for (const path of paths) {
      const { dir } = await fileInfo(join(folder, path));
      if (dir) {
        const inside = new Map<string, Known>();
        await walk(path, inside);
        for (const file of inside.keys()) files.add(file);
      }
      for (const file of known.keys()) if (file === path || file.startsWith(`${path}/`)) files.add(file);
      if (!dir) files.add(path);
    }
    const found: Change[] = [];
    for (const path of [...files].sort()) {
      if (isIgnored(path)) continue;
      const { file } = await fileInfo(join(folder, path));
      const was = known.get(path);
      if (file === null) {
        if (was !== undefined) found.push({ kind: 'deleted', path, was });
      } else if (was === undefined) found.push({ kind: 'created', path, now: file });
      else if (was.ino !== file.ino || was.size !== file.size || was.mtimeNs !== file.mtimeNs) found.push({ kind: 'saved', path, now: file });
    }
    return found;
  }

  /** Whether a plugin's own write or delete accounts for the change (read now: the bytes the plugin wrote, or not). */
  async function pluginMade(change: Change): Promise<boolean> {
    const writes = sink.context.recentWrites;
    if (change.kind === 'deleted') return writes.explains(change.path, null) !== null;
    const bytes = await readFile(join(folder, change.path)).catch(() => null);
    return bytes !== null && writes.explains(change.path, bytes) !== null;
  }

  async function flush(): Promise<void> {
    const paths = [...pending];
    pending.clear();
    const found = await changes(paths);
    const events: GuestEvent[] = [];
    const created = found.filter((c): c is Change & { kind: 'created' } => c.kind === 'created');
    for (const change of found) {
      if (change.kind === 'deleted') known.delete(change.path);
      else known.set(change.path, change.now);
    }
    const movedTo = new Set<string>();
    for (const change of found) {
      if (change.kind === 'deleted') {
        const target = created.find((c) => !movedTo.has(c.path) && c.now.ino === change.was.ino && c.now.dev === change.was.dev);
        if (target) {
          movedTo.add(target.path);
          events.push(guestEvents.fileMoved(change.path, target.path));
          continue;
        }
      }
      if (change.kind === 'created' && movedTo.has(change.path)) continue;
      if (await pluginMade(change)) continue;
      events.push(change.kind === 'deleted' ? guestEvents.fileDeleted(change.path) : change.kind === 'created' ? guestEvents.fileCreated(change.path) : guestEvents.fileSaved(change.path));
    }
    for (const event of events) {
      try {
        await sink.broadcast(event);
      } catch (error) {
        options.onError?.(error, event);
      }
    }
  }

  const schedule = () => {
    clearTimeout(timer);
    const now = Date.now();
    if (pending.size === 1) firstPending = now;
    // A steady stream of changes is sent at least every 10 debounce periods.
    const wait = now - firstPending > debounceMs * 10 ? 0 : debounceMs;
    timer = setTimeout(() => {
      timer = undefined;
      sending = sending.then(flush, flush);
    }, wait);
  };

  const ready = (async () => {
    folder = await realpath(folder);
    ignored = (options.ignore ?? [])
      .map((dir) => toSlashes(isAbsolute(dir) ? relative(folder, resolve(dir)) : dir).replace(/\/+$/, ''))
      .filter((dir) => dir !== '' && !dir.startsWith('..'));
    await walk('', known);
    if (closed) return;
    watcher = watch(folder, { recursive: true }, (_type, filename) => {
      if (filename === null || closed) return;
      const path = toSlashes(filename.toString());
      if (isIgnored(path)) return;
      pending.add(path);
      schedule();
    });
    watcher.on('error', () => undefined);
  })();

  const close = async () => {
    closed = true;
    await ready.catch(() => undefined);
    watcher?.close();
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
      sending = sending.then(flush, flush);
    }
    await sending;
  };
  return { ready, close, [asyncDisposeSymbol]: close };
}

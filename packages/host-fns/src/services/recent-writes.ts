/** A workspace change a plugin made through a host function. */
export interface PluginWrite {
  /** The plugin that wrote (its id). */
  pluginId: string;
  /** Workspace-relative, `/`-separated: the real path the file system was given. */
  path: string;
  /** `write` (`host_write_file`, `host_write_binary`) or `delete` (`host_delete_file`). */
  kind: 'write' | 'delete';
  /** When it was recorded (the registry's clock, ms). */
  atMs: number;
}

/**
 * The host's memory of the workspace changes plugins made through host functions, so an app's
 * file watcher can tell them from the user's (a plugin that rewrites an index on every save must
 * not be sent its own write back). Host functions record every successful write and delete; a
 * watcher asks {@link explains} before it sends an event.
 */
export interface RecentWrites {
  /** Records a successful write (`bytes`: what was written) or delete (`bytes` null). */
  record(pluginId: string, path: string, bytes: Uint8Array | null): void;
  /**
   * The plugin change that accounts for the file's state now, or null: a recent write whose
   * bytes equal `current`, or a recent delete when `current` is null (the file is gone). A
   * user's edit made after a plugin's write changes the bytes, so it is never explained away.
   */
  explains(path: string, current: Uint8Array | null): PluginWrite | null;
}

/** Options of {@link recentWrites}. */
export interface RecentWritesOptions {
  /** How long a change is remembered, in ms (default 10 000: file events can arrive late). */
  ttlMs?: number;
  /** The clock (default `Date.now`). */
  now?: () => number;
}

interface Entry extends PluginWrite {
  size: number;
  digest: number;
}

/** FNV-1a over the bytes: a fingerprint, with the size, of what was written. */
function fingerprint(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  return hash >>> 0;
}

/** The default {@link RecentWrites}: the last change per path, kept for `ttlMs`. */
export function recentWrites(options: RecentWritesOptions = {}): RecentWrites {
  const ttlMs = options.ttlMs ?? 10_000;
  const now = options.now ?? Date.now;
  // In recording order (a path recorded again moves to the end), so the oldest expire first.
  const entries = new Map<string, Entry>();
  const prune = (at: number) => {
    for (const [path, entry] of entries) {
      if (at - entry.atMs <= ttlMs) break;
      entries.delete(path);
    }
  };
  return {
    record(pluginId, path, bytes) {
      const atMs = now();
      prune(atMs);
      entries.delete(path);
      entries.set(path, {
        pluginId,
        path,
        kind: bytes === null ? 'delete' : 'write',
        atMs,
        size: bytes?.length ?? -1,
        digest: bytes === null ? 0 : fingerprint(bytes),
      });
    },
    explains(path, current) {
      prune(now());
      const entry = entries.get(path);
      if (entry === undefined) return null;
      const matches = current === null ? entry.kind === 'delete' : entry.kind === 'write' && entry.size === current.length && entry.digest === fingerprint(current);
      return matches ? { pluginId: entry.pluginId, path: entry.path, kind: entry.kind, atMs: entry.atMs } : null;
    },
  };
}

import { type FSWatcher, watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { PluginHost } from '../host/plugin-host.js';
import { asyncDisposeSymbol } from '../loaded-plugin.js';

/** Options of {@link watchPluginsDir}. */
export interface WatchPluginsDirOptions {
  /** Quiet time in ms after a `plugin.wasm` changed before it is reloaded (default 300: a build writes in steps). */
  debounceMs?: number;
  /** Told when a reload or unload failed (the host also sends `failed`). Default: ignored. */
  onError?: (error: unknown, folder: string) => void;
}

/** A running plugins-folder watcher. */
export interface PluginsDirWatcher {
  /** Resolves once watching has started. */
  readonly ready: Promise<void>;
  /** Stops watching; resolves once the reloads already started are done. */
  close(): Promise<void>;
  [asyncDisposeSymbol](): Promise<void>;
}

/**
 * Keeps a plugin host in step with its plugins folder: a folder whose `plugin.wasm` changed (a
 * build, an update) is reloaded, a new one is loaded, and one whose `plugin.wasm` is gone is
 * unloaded. Only `plugin.wasm` counts: the loader's own `manifest.json` and `config.json` writes
 * start nothing.
 *
 * @example
 * const watcher = watchPluginsDir(pluginsDir, plugins);
 * plugins.addEventListener('reloaded', (event) => console.log(`${event.detail.id} reloaded`));
 */
export function watchPluginsDir(dir: string, host: Pick<PluginHost, 'reload' | 'unload' | 'plugins'>, options: WatchPluginsDirOptions = {}): PluginsDirWatcher {
  const root = resolve(dir);
  const debounceMs = options.debounceMs ?? 300;
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** The wasm each folder was last loaded from (size and mtime), so an unchanged file is not reloaded. */
  const seen = new Map<string, string>();
  let work: Promise<void> = Promise.resolve();
  let watcher: FSWatcher | null = null;
  let closed = false;

  const stamp = async (folder: string) => {
    const info = await stat(join(folder, 'plugin.wasm'), { bigint: true }).catch(() => null);
    return info?.isFile() ? `${info.size}:${info.mtimeNs}` : null;
  };

  const settle = async (folder: string) => {
    const now = await stamp(folder);
    if (now === seen.get(folder)) return;
    try {
      if (now === null) {
        seen.delete(folder);
        const hosted = [...host.plugins.values()].find((p) => p.origin === folder && p.state === 'loaded');
        if (hosted) await host.unload(hosted.id);
      } else {
        seen.set(folder, now);
        await host.reload(folder);
      }
    } catch (error) {
      options.onError?.(error, folder);
    }
  };

  const ready = (async () => {
    for (const hosted of host.plugins.values()) {
      const now = await stamp(hosted.origin);
      if (now !== null) seen.set(hosted.origin, now);
    }
    if (closed) return;
    watcher = watch(root, { recursive: true }, (_type, filename) => {
      if (filename === null || closed) return;
      const parts = filename.toString().split(sep);
      // <folder>/plugin.wasm, or <folder> itself (created, removed, renamed).
      if (parts.length > 2 || (parts.length === 2 && parts[1] !== 'plugin.wasm') || parts[0]!.startsWith('.')) return;
      const folder = join(root, parts[0]!);
      clearTimeout(timers.get(folder));
      timers.set(
        folder,
        setTimeout(() => {
          timers.delete(folder);
          work = work.then(() => settle(folder));
        }, debounceMs),
      );
    });
    watcher.on('error', () => undefined);
  })();

  const close = async () => {
    closed = true;
    await ready.catch(() => undefined);
    watcher?.close();
    for (const timer of timers.values()) clearTimeout(timer);
    timers.clear();
    await work;
  };
  return { ready, close, [asyncDisposeSymbol]: close };
}

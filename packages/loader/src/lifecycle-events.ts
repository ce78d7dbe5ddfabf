import type { PluginCallError } from './errors.js';
import type { ResolvedPluginMode } from './options.js';

/**
 * Something that happened to a loaded plugin outside the call its caller awaits, reported where
 * the loader learns it (the loader option `onLifecycleEvent`; a plugin host re-sends each as an
 * event of the same name):
 * - `timeout`: a call ran past its deadline and was stopped;
 * - `crashed`: a call ended in a guest trap or a WASI `proc_exit` (kinds `trap`, `exit`);
 * - `restarted`: a fresh instance (or worker) started after a call was stopped (timeout, abort);
 * - `event-failed`: an `on_event` call failed (the app's `onEvent` resolves all the same);
 * - `config-recovered`: a corrupt `config.json` was moved aside at load; the plugin starts with `{}`.
 */
export type PluginLifecycleEvent =
  | { type: 'timeout'; pluginId: string; exportName: string; timeoutMs: number; error: PluginCallError }
  | { type: 'crashed'; pluginId: string; exportName: string; error: PluginCallError }
  | { type: 'restarted'; pluginId: string; mode: ResolvedPluginMode; restarts: number }
  | { type: 'event-failed'; pluginId: string; eventType: string; error: PluginCallError }
  | {
      type: 'config-recovered';
      /** The plugin's folder name or file stem (the config is read before the id is known). */
      pluginName: string;
      configPath: string;
      /** Where the corrupt file now is (`config.json.corrupt-<time>`). */
      movedTo: string;
      /** The warning the plugin also carries in `warnings`. */
      message: string;
    };

/** The `type` of a {@link PluginLifecycleEvent}. */
export type PluginLifecycleEventType = PluginLifecycleEvent['type'];

/** Receives {@link PluginLifecycleEvent}s (see the loader option `onLifecycleEvent`). */
export type PluginLifecycleListener = (event: PluginLifecycleEvent) => void;

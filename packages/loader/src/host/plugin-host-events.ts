import type { PluginLoadError } from '../errors.js';
import type { PluginLifecycleEvent } from '../lifecycle-events.js';
import type { LoadedPlugin } from '../loaded-plugin.js';

/** Why a plugin left a {@link PluginHost}. */
export type UnloadReason = 'unload' | 'reload' | 'shutdown';

/** What each event of a {@link PluginHost} carries in `CustomEvent.detail`. */
export interface PluginHostEventDetails {
  /** A plugin loaded (and its `init` ran). */
  loaded: { id: string; origin: string; plugin: LoadedPlugin };
  /** A plugin failed to load; it is kept with the state `failed`, under its folder or source name. */
  failed: { id: string; origin: string; error: PluginLoadError };
  /** A plugin was reloaded from its origin; `previousId` differs from `id` when the manifest changed it. */
  reloaded: { id: string; previousId: string; origin: string; plugin: LoadedPlugin };
  /** A plugin was closed: by `unload`, before its reload, or by `shutdown` (then in reverse load order). */
  unloaded: { id: string; origin: string; reason: UnloadReason };
  /** A call ran past its deadline and was stopped (see {@link PluginLifecycleEvent}). */
  timeout: Extract<PluginLifecycleEvent, { type: 'timeout' }>;
  /** A call ended in a trap or a WASI `proc_exit`. */
  crashed: Extract<PluginLifecycleEvent, { type: 'crashed' }>;
  /** A fresh instance (or worker) started after a stopped call. */
  restarted: Extract<PluginLifecycleEvent, { type: 'restarted' }>;
  /** An `on_event` call failed (a `broadcast` result says so too). */
  'event-failed': Extract<PluginLifecycleEvent, { type: 'event-failed' }>;
  /** A corrupt `config.json` was moved aside at load. */
  'config-recovered': Extract<PluginLifecycleEvent, { type: 'config-recovered' }>;
  /**
   * The host shut down: `order` is the ids in the order they were shut down (reverse load
   * order); `forced` those whose `shutdown` export did not finish in time and were closed anyway.
   */
  closed: { order: readonly string[]; forced: readonly string[]; durationMs: number };
}

/** The name of an event of a {@link PluginHost}. */
export type PluginHostEventType = keyof PluginHostEventDetails;

/** The events of a {@link PluginHost}, as `addEventListener` types them. */
export type PluginHostEventMap = { [K in PluginHostEventType]: CustomEvent<PluginHostEventDetails[K]> };

/** A listener of one {@link PluginHost} event. */
export type PluginHostListener<K extends PluginHostEventType> = (event: PluginHostEventMap[K]) => void;

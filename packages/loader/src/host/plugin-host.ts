import { type HostContext, noopPluginCommandBridge } from '@diaryx/host-fns';
import { PluginCallError, PluginLoadError, toError } from '../errors.js';
import { asyncDisposeSymbol, DELIVER_EVENT, type LoadedPlugin, type PluginCallOptions, RUN_SHUTDOWN } from '../loaded-plugin.js';
import type { LoaderOptions } from '../options.js';
import { pluginCommandBridge } from '../plugin-command-bridge.js';
import type { GuestEvent } from '../protocol/types.js';
import { validateLoaderOptions } from '../validate-options.js';
import type { CatalogOutcome, PluginCatalog } from './plugin-catalog.js';
import type { PluginHostEventDetails, PluginHostEventMap, PluginHostEventType, UnloadReason } from './plugin-host-events.js';

/** Where a plugin of a {@link PluginHost} stands. */
export type PluginState = 'loaded' | 'failed' | 'closed';

/** One plugin of a {@link PluginHost}, as the app sees it. */
export interface HostedPlugin {
  /** The manifest id; for a plugin that failed to load, its folder or source name. */
  readonly id: string;
  readonly state: PluginState;
  /** The running plugin while `state` is `loaded`, else null. */
  readonly plugin: LoadedPlugin | null;
  /** Why it failed to load, while `state` is `failed`, else null. */
  readonly error: PluginLoadError | null;
  /** Where it comes from: its folder (Node) or its source name. */
  readonly origin: string;
}

/** What {@link PluginHost.load} did. */
export interface PluginHostLoadResult {
  /** The plugins loaded by this call, in load order. */
  loaded: LoadedPlugin[];
  /** The plugins that failed to load in this call. */
  failed: HostedPlugin[];
}

/** How one plugin took a {@link PluginHost.broadcast} event. */
export type BroadcastOutcome = { ok: true } | { ok: false; error: PluginCallError };

/** Options of a plugin host (see `createPluginHost`). */
export interface PluginHostOptions extends LoaderOptions {
  /** The host context every plugin runs against (its file system, permissions, storage, …). */
  host: HostContext;
  /** The workspace root given to every plugin's `init` (default null). */
  workspaceRoot?: string | null;
  /**
   * How long `shutdown()` gives all the plugins' `shutdown` exports together, in ms (default
   * 2000); a plugin still running when it is over is closed anyway (its call is stopped).
   */
  shutdownTimeoutMs?: number;
}

/** @internal What the entries of `createPluginHost` give the host. */
export interface PluginHostSetup {
  options: PluginHostOptions;
  /** Where the plugins come from, in load order. */
  catalogs: readonly PluginCatalog[];
  /** Runs once the plugins are shut down (the entry's own services: a bridge's connections). */
  afterShutdown?: () => void | Promise<void>;
}

interface Entry {
  id: string;
  state: PluginState;
  plugin: LoadedPlugin | null;
  error: PluginLoadError | null;
  origin: string;
  catalog: PluginCatalog;
}

const DEFAULT_SHUTDOWN_TIMEOUT_MS = 2_000;
/** How long after a shutdown's deadline its signal fires (so a running call ends as a timeout). */
const SHUTDOWN_SIGNAL_SLACK_MS = 250;

// Spelled out rather than the DOM's names, which @types/node does not declare.
/** The options of `addEventListener`. */
type ListenerOptions = boolean | { capture?: boolean; once?: boolean; passive?: boolean; signal?: AbortSignal };
/** Any listener `EventTarget` takes. */
type AnyListener = ((event: Event) => void) | { handleEvent(event: Event): void };

/**
 * The app's side of the plugins in one object: it loads them (and runs their `init`), keeps
 * each one's state, sends events to all of them with each plugin isolated, runs commands,
 * reloads one (checking its id against the others), and shuts them down in reverse load order.
 * What happens to a plugin outside a call arrives as a typed event (`loaded`, `failed`,
 * `reloaded`, `unloaded`, `timeout`, `crashed`, `restarted`, `event-failed`,
 * `config-recovered`, `closed`), each with its facts in `CustomEvent.detail`. Nothing is printed:
 * lines go to the `logger` option. Create one with `createPluginHost`.
 */
export class PluginHost extends EventTarget {
  /** The host context the plugins run against. */
  readonly context: HostContext;
  readonly #options: LoaderOptions;
  readonly #workspaceRoot: string | null;
  readonly #shutdownTimeoutMs: number;
  readonly #catalogs: readonly PluginCatalog[];
  readonly #afterShutdown: PluginHostSetup['afterShutdown'];
  /** In load order (a reloaded plugin keeps its place). */
  readonly #entries: Entry[] = [];
  /** One change (load, reload, unload, shutdown) at a time. */
  #changes: Promise<unknown> = Promise.resolve();
  #shutDown: Promise<void> | null = null;
  #closed = false;

  /** @internal Use `createPluginHost`. */
  constructor(setup: PluginHostSetup) {
    super();
    const { host, workspaceRoot, shutdownTimeoutMs, ...loaderOptions } = setup.options;
    validateLoaderOptions(loaderOptions);
    this.context = host;
    this.#workspaceRoot = workspaceRoot ?? null;
    this.#shutdownTimeoutMs = shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
    this.#catalogs = setup.catalogs;
    this.#afterShutdown = setup.afterShutdown;
    const appListener = loaderOptions.onLifecycleEvent;
    this.#options = {
      ...loaderOptions,
      onLifecycleEvent: (event) => {
        appListener?.(event);
        this.#emit(event.type, event as never);
      },
    };
    // Plugins of one host call each other's commands unless the app routes them itself.
    if (host.commands === noopPluginCommandBridge) host.commands = pluginCommandBridge(() => this.#running());
  }

  /** Every plugin the host knows, by id (a failed one by its folder or source name), in load order. */
  get plugins(): ReadonlyMap<string, HostedPlugin> {
    return new Map(this.#entries.map((entry) => [entry.id, this.#view(entry)]));
  }

  /** The running plugin of this id, or undefined. */
  get(id: string): LoadedPlugin | undefined {
    return this.#find(id)?.plugin ?? undefined;
  }

  override addEventListener<K extends PluginHostEventType>(type: K, listener: ((event: PluginHostEventMap[K]) => void) | null, options?: ListenerOptions): void;
  override addEventListener(type: string, listener: AnyListener | null, options?: ListenerOptions): void;
  override addEventListener(type: string, listener: AnyListener | null, options?: ListenerOptions): void {
    super.addEventListener(type, listener, options);
  }

  override removeEventListener<K extends PluginHostEventType>(type: K, listener: ((event: PluginHostEventMap[K]) => void) | null, options?: boolean | { capture?: boolean }): void;
  override removeEventListener(type: string, listener: AnyListener | null, options?: boolean | { capture?: boolean }): void;
  override removeEventListener(type: string, listener: AnyListener | null, options?: boolean | { capture?: boolean }): void {
    super.removeEventListener(type, listener, options);
  }

  /**
   * Loads every plugin not loaded yet (at first all of them; later, new folders and ones that
   * failed), runs their `init`, and sends `loaded` or `failed` for each. One bad plugin never
   * stops the others. Plugins closed by `unload` stay closed (`reload` brings one back).
   */
  load(): Promise<PluginHostLoadResult> {
    return this.#change(async () => {
      const known = new Set(this.#entries.filter((e) => e.state !== 'failed').map((e) => e.origin));
      const result: PluginHostLoadResult = { loaded: [], failed: [] };
      for (const catalog of this.#catalogs) {
        const outcomes = await catalog.loadNew(known, this.#takenIds(), this.#options);
        for (const outcome of outcomes) {
          const entry = await this.#settle(outcome, catalog);
          if (entry.plugin) result.loaded.push(entry.plugin);
          else result.failed.push(this.#view(entry));
        }
      }
      return result;
    });
  }

  /**
   * Loads one plugin again from its origin (after its wasm changed, say): the old one's
   * `shutdown` runs and it is closed, then the new one is loaded with its folder's rules (a fresh
   * `manifest.json`, `config.json`) and its id checked against the other plugins. `idOrFolder` is
   * a plugin id, a folder (path or name) or a source name; a folder the host does not know yet
   * is loaded as a new plugin. Sends `unloaded` (reason `reload`) and `reloaded`, or `failed`.
   * `options.timeoutMs` bounds the old plugin's `shutdown` (default: the loader's deadline).
   * @throws PluginLoadError when the new plugin cannot be loaded (the host keeps it as `failed`)
   */
  reload(idOrFolder: string, options: { timeoutMs?: number } = {}): Promise<LoadedPlugin> {
    return this.#change(async () => {
      let entry = this.#find(idOrFolder);
      const found = entry ? { catalog: entry.catalog, origin: entry.origin } : await this.#originOf(idOrFolder);
      if (!found) {
        throw new PluginLoadError('read_dir', idOrFolder, `No plugin '${idOrFolder}' to reload: it is neither a plugin's id nor a plugin folder or source of this host`, {
          details: { path: idOrFolder },
        });
      }
      const { catalog, origin } = found;
      entry ??= this.#entries.find((e) => e.catalog === catalog && e.origin === origin);
      const previousId = entry?.id ?? null;
      if (entry?.plugin) await this.#close(entry, 'reload', options);
      let plugin: LoadedPlugin;
      try {
        plugin = await catalog.loadOne(origin, this.#takenIds(entry), this.#options);
      } catch (error) {
        const loadError = error instanceof PluginLoadError ? error : new PluginLoadError('plugin_create', origin, toError(error).message, { cause: error });
        await this.#settle({ origin, name: previousId ?? origin, error: loadError }, catalog, entry);
        throw loadError;
      }
      await this.#settle({ origin, name: plugin.id, plugin }, catalog, entry, previousId === null);
      if (previousId !== null) this.#emit('reloaded', { id: plugin.id, previousId, origin, plugin });
      return plugin;
    });
  }

  /**
   * Runs the plugin's `shutdown` (bounded by `options.timeoutMs`) and closes it; it stays in
   * `plugins` as `closed` until a `reload`. `id` may also be its folder or source name. Sends `unloaded`.
   */
  unload(id: string, options: { timeoutMs?: number } = {}): Promise<void> {
    return this.#change(async () => {
      let entry = this.#find(id);
      if (!entry) {
        const found = await this.#originOf(id);
        entry = found ? this.#entries.find((e) => e.catalog === found.catalog && e.origin === found.origin) : undefined;
      }
      if (entry?.plugin) await this.#close(entry, 'unload', options);
    });
  }

  /**
   * Sends an event to every loaded plugin at once, each isolated from the others: one that
   * fails, hangs to its deadline or is slow delays or breaks no other. Resolves with each
   * plugin's outcome by id once all have taken it.
   */
  async broadcast(event: GuestEvent, options: PluginCallOptions = {}): Promise<ReadonlyMap<string, BroadcastOutcome>> {
    const running = this.#running();
    const outcomes = await Promise.all(
      running.map(async (plugin): Promise<[string, BroadcastOutcome]> => {
        try {
          const error = await plugin[DELIVER_EVENT](event, options);
          return [plugin.id, error === null ? { ok: true } : { ok: false, error }];
        } catch (error) {
          return [plugin.id, { ok: false, error: error instanceof PluginCallError ? error : new PluginCallError('invalid_input', plugin.id, 'on_event', toError(error).message, { cause: error }) }];
        }
      }),
    );
    return new Map(outcomes);
  }

  /**
   * Runs a plugin's command as Rust's registry does (§8.5): resolves with the command's `data`
   * (null when it has none); rejects with a {@link PluginCallError}: `guest_error` for a
   * `success: false` answer (`details.guestMessage`, `details.errorCode`), `not_declared` for a
   * command the plugin does not declare, `not_loaded` for an id with no running plugin
   * (`details.state`: `missing` or `failed`), `closed` for one that was unloaded, or the call's
   * own failure (`timeout`, `trap`, …).
   */
  async run(id: string, command: string, params: unknown = null, options: PluginCallOptions = {}): Promise<unknown> {
    const entry = this.#find(id);
    const plugin = entry?.plugin;
    if (!entry || !plugin) {
      if (entry?.state === 'closed') throw new PluginCallError('closed', id, 'handle_command', `Plugin '${id}' is closed (unloaded or shut down)`, { details: {} });
      const state = entry?.state === 'failed' ? 'failed' : 'missing';
      const why = state === 'failed' ? `is in failed state: ${entry!.error?.message}` : 'is not loaded';
      throw new PluginCallError('not_loaded', id, 'handle_command', `Plugin '${id}' ${why}`, { details: { state } });
    }
    if (!plugin.declaresCommand(command)) {
      const available = plugin.manifest.capabilities.includes('custom_commands') ? [...plugin.manifest.commands] : [];
      throw new PluginCallError('not_declared', id, 'handle_command', `Plugin '${id}' does not declare the command '${command}' (declared: ${available.join(', ') || 'none'})`, {
        details: { command, available },
        pluginName: plugin.manifest.name,
      });
    }
    const response = await plugin.handleCommand(command, params, options);
    if (response.success) return response.data ?? null;
    const guestMessage = response.error ?? 'Unknown error';
    throw new PluginCallError('guest_error', id, 'handle_command', `Plugin '${id}': command '${command}' failed: ${guestMessage}`, {
      details: { guestMessage, errorCode: response.error_code ?? null },
      pluginName: plugin.manifest.name,
    });
  }

  /**
   * Shuts every plugin down in reverse load order: its `shutdown` export, then `close()`, all
   * within `shutdownTimeoutMs` together (a plugin past it is closed anyway: its call is stopped,
   * and it is listed in `forced`). Sends `unloaded` (reason `shutdown`) for each and `closed` at
   * the end. Later calls of `load`, `reload` and `broadcast` find no plugin. Calling it again is harmless.
   */
  shutdown(): Promise<void> {
    this.#shutDown ??= this.#change(async () => {
      this.#closed = true;
      const started = performance.now();
      const deadline = started + this.#shutdownTimeoutMs;
      const order: string[] = [];
      const forced: string[] = [];
      for (const entry of [...this.#entries].reverse()) {
        if (!entry.plugin) continue;
        order.push(entry.id);
        const left = Math.max(1, Math.round(deadline - performance.now()));
        if (!(await this.#close(entry, 'shutdown', { timeoutMs: left }))) forced.push(entry.id);
      }
      await this.#afterShutdown?.();
      this.#emit('closed', { order, forced, durationMs: performance.now() - started });
    });
    return this.#shutDown;
  }

  /** `await using host = createPluginHost(…)` shuts it down at the end of the block. */
  [asyncDisposeSymbol](): Promise<void> {
    return this.shutdown();
  }

  #view(entry: Entry): HostedPlugin {
    return { id: entry.id, state: entry.state, plugin: entry.plugin, error: entry.error, origin: entry.origin };
  }

  #running(): LoadedPlugin[] {
    return this.#entries.flatMap((entry) => (entry.plugin ? [entry.plugin] : []));
  }

  #find(id: string): Entry | undefined {
    return this.#entries.find((entry) => entry.id === id);
  }

  /** The catalog and origin `idOrFolder` names (a folder, a source name), or null. */
  async #originOf(idOrFolder: string): Promise<{ catalog: PluginCatalog; origin: string } | null> {
    for (const catalog of this.#catalogs) {
      const origin = await catalog.originOf(idOrFolder);
      if (origin !== null) return { catalog, origin };
    }
    return null;
  }

  /** The ids running plugins hold (id → origin), but `except`'s. */
  #takenIds(except?: Entry): Map<string, string> {
    return new Map(this.#entries.filter((e) => e.plugin && e !== except).map((e) => [e.id, e.origin]));
  }

  /** Records a load's outcome in `entry` (or a new entry), runs `init`, and sends `loaded` or `failed`. */
  async #settle(outcome: CatalogOutcome, catalog: PluginCatalog, entry?: Entry, announce = true): Promise<Entry> {
    const target = entry ?? this.#entries.find((e) => e.origin === outcome.origin && e.catalog === catalog);
    const next: Entry = outcome.plugin
      ? { id: outcome.plugin.id, state: 'loaded', plugin: outcome.plugin, error: null, origin: outcome.origin, catalog }
      : { id: outcome.name, state: 'failed', plugin: null, error: outcome.error, origin: outcome.origin, catalog };
    if (target) Object.assign(target, next);
    else this.#entries.push(next);
    const settled = target ?? next;
    if (outcome.plugin) {
      await outcome.plugin.init({ workspace_root: this.#workspaceRoot });
      if (announce) this.#emit('loaded', { id: settled.id, origin: settled.origin, plugin: outcome.plugin });
    } else {
      this.#emit('failed', { id: settled.id, origin: settled.origin, error: outcome.error });
    }
    return settled;
  }

  /**
   * Runs the plugin's `shutdown` (stopped when `timeoutMs` is over, even while it waits its turn
   * behind another call) and closes it; false when `shutdown` did not finish in time.
   */
  async #close(entry: Entry, reason: UnloadReason, options: { timeoutMs?: number }): Promise<boolean> {
    const plugin = entry.plugin!;
    const ms = options.timeoutMs;
    // The deadline stops a running shutdown (a `timeout` event); the signal, a little later, one still waiting its turn.
    const failure = await plugin[RUN_SHUTDOWN](ms === undefined ? {} : { timeoutMs: ms, signal: AbortSignal.timeout(ms + SHUTDOWN_SIGNAL_SLACK_MS) }).catch(
      (error: unknown) => error,
    );
    const finished = !(failure instanceof PluginCallError && (failure.kind === 'timeout' || failure.kind === 'aborted'));
    await plugin.close();
    entry.plugin = null;
    entry.state = 'closed';
    this.#emit('unloaded', { id: entry.id, origin: entry.origin, reason });
    return finished;
  }

  #emit<K extends PluginHostEventType>(type: K, detail: PluginHostEventDetails[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  /** Runs one change after the ones before it; after `shutdown`, a change is refused. */
  #change<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#changes.then(() => {
      if (this.#closed) throw new Error('The plugin host was shut down: create a new one to load plugins again');
      return run();
    });
    this.#changes = next.catch(() => undefined);
    return next;
  }
}

import {
  createHostFunctions,
  createPluginHostState,
  type HostContext,
  type PluginHostState,
  preloadFrontmatter,
} from '@diaryx/host-fns';
import { PluginLoadError, toError } from '../errors.js';
import { type PluginRuntimeInfo, type ResolvedLoaderOptions, workerFallback } from '../options.js';
import { idBeforeManifest } from '../protocol/plugin-id.js';
import { meterRefusal, type ModuleSource } from './compile-module.js';
import { createGuestInstance } from './create-guest-instance.js';
import { isStatusExport } from './export-status.js';
import { isEntryExport } from './guest-entry-rewrite.js';
import type { CallDeadline } from './deadline.js';
import type { GuestInstance } from './guest-instance.js';
import { unsatisfiedImport } from './import-check.js';
import type { PluginRecorder } from '../recording/plugin-recorder.js';
import { realWasiSource } from './wasi-shim.js';

/** A guest instance with the state its host functions share with the loader. */
export interface InstantiatedGuest {
  instance: GuestInstance;
  state: PluginHostState;
  /** The names of the module's exported functions. */
  exports: ReadonlySet<string>;
  /**
   * The last line the guest logged at error since the loader cleared it (an AssemblyScript abort
   * handler logs its message, file and line there before it traps; Extism drops `error_set` on a trap).
   */
  lastGuestError: { message: string | null };
  /** Where it runs: the resolved options', or a worker when `'auto'` could not meter the module. */
  runtime: PluginRuntimeInfo;
  /** The recorder of its calls (the `record` option), or null. */
  recorder: PluginRecorder | null;
}

/**
 * Caps the module's memory, compiles it (once per content), and instantiates it with every
 * Diaryx host function and a fresh per-plugin state whose id is `name` until the manifest is read
 * (percent-encoded when `name` is not a valid plugin id, so it cannot break key scoping).
 * @throws PluginLoadError `plugin_create`
 */
export async function instantiateGuest(
  source: ModuleSource,
  name: string,
  host: HostContext,
  options: ResolvedLoaderOptions,
  start: { lazy: boolean } = { lazy: false },
): Promise<InstantiatedGuest> {
  let runtime = options.runtime;
  const fail = (error: unknown): never => {
    const cause = toError(error);
    // After a fallback, say why the plugin is not metered (its advice may name that mode).
    const why = runtime === options.runtime ? '' : ` (${runtime.reason})`;
    throw new PluginLoadError('plugin_create', name, `Failed to create Extism plugin '${name}': ${cause.message}${why}`, {
      cause,
      details: { problem: `${cause.message}${why}` },
    });
  };
  try {
    let module: WebAssembly.Module;
    try {
      module = await source(options.maxMemoryPages, runtime.mode === 'metered');
    } catch (error) {
      const refusal = meterRefusal(error);
      if (!(runtime.automatic && runtime.mode === 'metered' && refusal)) throw error;
      runtime = workerFallback(`the module cannot be metered (${refusal.message})`);
      module = await source(options.maxMemoryPages, false);
    }
    options.logger.debug(`[plugin ${name}] runs in mode ${runtime.mode} (${runtime.reason})`, { pluginId: name, source: 'loader' });
    // Host functions of a plugin that cannot wait must find the YAML parser (frontmatter) loaded.
    if (!runtime.asyncHostServices) await preloadFrontmatter();
    const metered = runtime.mode === 'metered';
    const importProblem = unsatisfiedImport(module, metered);
    if (importProblem) throw new Error(importProblem);
    // A host service may return a Promise in a worker, and in metered mode with JSPI.
    const state = createPluginHostState(idBeforeManifest(name), { inProcess: !runtime.asyncHostServices });
    const lastGuestError: InstantiatedGuest['lastGuestError'] = { message: null };
    const activeDeadline: { current: CallDeadline | null } = { current: null };
    state.pauseDeadline = () => activeDeadline.current?.pause() ?? noResume;
    // Loaded only for a recorded plugin: the recorder is not in the bundle of a page that never records.
    const recorder =
      options.record === null
        ? null
        : new (await import('../recording/plugin-recorder.js')).PluginRecorder(options.record, options.wasiSource ?? realWasiSource, options.logger);
    state.recorder = recorder?.onHostCall ?? null;
    const create = () =>
      createGuestInstance({
        module,
        hostFunctions: createHostFunctions(host, state),
        mode: runtime.mode,
        asyncHostServices: metered && runtime.asyncHostServices,
        sliceMs: runtime.sliceMs,
        timeoutMs: options.timeoutMs,
        // Instantiation (the module's start function included) gets the manifest deadline.
        startTimeoutMs: options.manifestTimeoutMs,
        maxKernelPages: options.maxMemoryPages,
        maxVarBytes: options.maxVarBytes,
        logger: options.logger,
        logFields: () => (state.exportName ? { pluginId: state.pluginId, source: 'guest', export: state.exportName } : { pluginId: state.pluginId, source: 'guest' }),
        onGuestError: (message) => (lastGuestError.message = message),
        activeDeadline,
        onRestart: (restarts) => options.lifecycle({ type: 'restarted', pluginId: state.pluginId, mode: runtime.mode, restarts }),
        wasiSource: recorder?.wasiSource ?? options.wasiSource,
      });
    const instance = start.lazy ? lazyInstance(create) : await create();
    const exports = new Set(
      WebAssembly.Module.exports(module)
        .filter((e) => e.kind === 'function' && !isStatusExport(e.name) && !isEntryExport(e.name))
        .map((e) => e.name),
    );
    return { instance, state, exports, lastGuestError, runtime, recorder };
  } catch (error) {
    return fail(error);
  }
}

const noResume = (): void => undefined;

/**
 * An instance created on its first call: a plugin whose manifest came from a fresh cache costs
 * nothing to load until it is used (a worker takes tens of milliseconds to start).
 */
function lazyInstance(create: () => Promise<GuestInstance>): GuestInstance {
  let started: Promise<GuestInstance> | null = null;
  // Once running, calls go straight to the instance (no extra promise layer per call).
  let running: GuestInstance | null = null;
  return {
    call(exportName, input, options) {
      if (running) return running.call(exportName, input, options);
      started ??= create().then(
        (instance) => (running = instance),
        (error: unknown) => {
          throw new Error(`could not start the plugin: ${toError(error).message}`);
        },
      );
      return started.then((instance) => instance.call(exportName, input, options));
    },
    stats: () => running?.stats() ?? { calls: 0, busyMs: 0, timeouts: 0, restarts: 0, memoryBytes: null },
    async close() {
      const instance = await started?.catch(() => null);
      await instance?.close();
    },
  };
}

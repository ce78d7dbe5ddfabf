// `await using` support names Symbol.asyncDispose in the declarations: an app whose `lib` lacks
// it (ES2022, no DOM, no @types/node) would fail to type-check them without this reference.
/// <reference lib="esnext.disposable" preserve="true" />
import { decodeUtf8Lossy, endExportCall, pluginLogPrefix, sortedJson, sortKeys, utf8ByteLength } from '@diaryx/host-fns';
import { abortReasonText, classifyCallFailure } from './call-failure.js';
import { LoaderOptionError, PluginCallError, type PluginCallErrorDetails, type PluginCallErrorKind, toError } from './errors.js';
import type { PluginRuntimeInfo, ResolvedLoaderOptions } from './options.js';
import { parseCommandResponse } from './protocol/command-response.js';
import type { PluginTrace } from './recording/trace.js';
import { declaresCommand, toCoreManifest } from './protocol/core-manifest.js';
import type { CommandResponse, GuestEvent, GuestManifest, PluginContext, PluginManifest } from './protocol/types.js';
import { CallAbortedError } from './runtime/call-stop.js';
import { CallQueue } from './runtime/call-queue.js';
import { GUEST_STACK_EXPORT, guestLocation } from './runtime/guest-location.js';
import type { InstantiatedGuest } from './runtime/instantiate.js';
import { ownedBytes } from './runtime/sdk-plugin.js';
import { callOptionProblem } from './validate-options.js';

/** What the loader hands a {@link LoadedPlugin}. @internal */
export interface LoadedPluginInit {
  guest: InstantiatedGuest;
  manifest: GuestManifest;
  config: unknown;
  configPath: string | null;
  /** The wasm file the plugin was loaded from, and its folder; null for bytes. */
  wasmPath: string | null;
  dir: string | null;
  /** Persists a new config (the config file, or the app's store); null keeps it in memory only. */
  saveConfig: ((config: unknown) => Promise<void>) | null;
  warnings: string[];
  options: ResolvedLoaderOptions;
}

/** @internal The key of {@link LoadedPlugin}'s bridged-command entry point. */
export const BRIDGED_COMMAND = Symbol('bridgedCommand');

/** @internal The key of {@link LoadedPlugin}'s event delivery for a plugin host: resolves with the failure, or null. */
export const DELIVER_EVENT = Symbol('deliverEvent');

/** @internal The key of {@link LoadedPlugin}'s `shutdown` for a plugin host: resolves with the failure, or null. */
export const RUN_SHUTDOWN = Symbol('runShutdown');

/**
 * `Symbol.asyncDispose`, or the registered symbol TypeScript and bundlers fall back to where the
 * runtime lacks it (Node 20), so `await using plugin = await loadPlugin(…)` works on both.
 */
export const asyncDisposeSymbol: typeof Symbol.asyncDispose =
  (Symbol as { asyncDispose?: typeof Symbol.asyncDispose }).asyncDispose ?? (Symbol.for('Symbol.asyncDispose') as typeof Symbol.asyncDispose);

const asBytes = (output: Uint8Array | null): Uint8Array | null => output;

/** Options of one call into a plugin ({@link LoadedPlugin.call}, `handleCommand`, `onEvent`). */
export interface PluginCallOptions {
  /**
   * Stops the call: a call still waiting its turn rejects at once, a running one at its next
   * yield (metered mode: within a slice) or at once (worker mode: the worker is terminated and
   * the next call starts a fresh one); kind `aborted`. In-process mode cannot stop a running call.
   */
  signal?: AbortSignal;
  /**
   * This call's deadline in ms, instead of the loader option `timeoutMs` (a whole number from 1
   * to 2 147 483 647, or Infinity for none). Ignored in-process.
   */
  timeoutMs?: number;
}

const NO_OPTIONS: PluginCallOptions = {};

/** Figures of one loaded plugin since it was loaded (see {@link LoadedPlugin.stats}). */
export interface PluginStats {
  /** Where it runs. */
  mode: PluginRuntimeInfo['mode'];
  /** Bytes of its linear memory now; null where the runtime cannot tell (worker mode). */
  memoryBytes: number | null;
  /** Calls that reached the guest. */
  calls: number;
  /** Time those calls took, in ms (metered mode: including the slices other work ran in between). */
  busyMs: number;
  /** Calls stopped by their deadline. */
  timeouts: number;
  /** Fresh instances (or workers) started after a timeout, an abort or a crash. */
  restarts: number;
}

function isEmptyConfig(config: unknown): boolean {
  return (
    config === null ||
    (typeof config === 'object' && !Array.isArray(config) && Object.keys(config as object).length === 0)
  );
}

/**
 * A loaded plugin: the TypeScript port of Rust's `ExtismPluginAdapter`. Every guest call is
 * queued (one at a time, in order); optional exports that are missing are skipped, as in Rust.
 */
export class LoadedPlugin {
  /** The guest manifest as the plugin declared it (defaults filled in). */
  readonly manifest: GuestManifest;
  /** The core manifest the app sees: capabilities mapped, UI and CLI elements typed with their defaults, invalid ones dropped (see {@link warnings}). */
  readonly coreManifest: PluginManifest;
  /**
   * Problems found while loading that did not stop the load: a corrupt config.json kept aside,
   * unknown capabilities, UI or CLI elements dropped from the core manifest (each naming the
   * plugin, the element and the field or slot). Also logged at warn.
   */
  readonly warnings: readonly string[];
  /** The config file `setConfig` writes, or null when the config is not kept in a file. */
  readonly configPath: string | null;
  /** The `plugin.wasm` the plugin was loaded from, or null when it was loaded from bytes. */
  readonly wasmPath: string | null;
  /** The plugin's folder (the folder of {@link wasmPath}), or null when it was loaded from bytes. */
  readonly dir: string | null;

  readonly #guest: InstantiatedGuest;
  readonly #queue = new CallQueue();
  readonly #options: ResolvedLoaderOptions;
  readonly #saveConfig: ((config: unknown) => Promise<void>) | null;
  #config: unknown;
  /** The last `setConfig` in progress: each waits for the one before (saved and notified in order). */
  #configUpdates: Promise<unknown> = Promise.resolve();
  #closed = false;
  /** Aborted by {@link close}: stops the call in progress and every call waiting. */
  readonly #closing = new AbortController();
  #closedInstance: Promise<void> | null = null;

  /** @internal Use {@link loadPlugin} or {@link loadPluginsFromDir}. */
  constructor(init: LoadedPluginInit) {
    this.#guest = init.guest;
    this.manifest = init.manifest;
    this.#options = init.options;
    const core = toCoreManifest(init.manifest);
    const fields = { pluginId: init.manifest.id, source: 'loader' } as const;
    for (const warning of core.warnings) init.options.logger.warn(`${pluginLogPrefix(init.manifest.id)} ${warning.replace(/^Plugin '[^']*': /, '')}`, fields);
    this.coreManifest = core.manifest;
    this.#config = init.config;
    this.configPath = init.configPath;
    this.wasmPath = init.wasmPath;
    this.dir = init.dir;
    this.#saveConfig = init.saveConfig;
    this.warnings = [...init.warnings, ...core.warnings];
  }

  /** Where this plugin runs and whether its host services may be async (the `mode` option, resolved). */
  get runtime(): PluginRuntimeInfo {
    return { ...this.#guest.runtime };
  }

  /**
   * The trace of the plugin's last calls (loader option `record`): each export call with its
   * input, host calls, WASI readings and output or error; secrets the plugin read through
   * `host_secret_get` (and the option's `redact` strings) replaced by placeholders; at most
   * `record.maxBytes` of JSON, older calls left out first. Replay it with `replayTrace` of
   * `@diaryx/testing` or `diaryx-plugin replay`. Empties the ring unless `keep` is true.
   * @throws LoaderOptionError (option `record`) when the plugin was loaded without `record`
   */
  takeRecording(options: { keep?: boolean } = {}): PluginTrace {
    const recorder = this.#guest.recorder;
    if (recorder === null) {
      throw new LoaderOptionError(
        'record',
        `Plugin '${this.id}' is not recorded: load it with the loader option record (e.g. record: { calls: 50 }) to take a recording of its calls`,
      );
    }
    const { name, version } = this.manifest;
    return recorder.take({ id: this.id, name, version, runtime: this.#guest.runtime }, options.keep === true);
  }

  /** Calls, time, timeouts, restarts and memory of this plugin so far (cheap: counters). */
  stats(): PluginStats {
    return { mode: this.#guest.runtime.mode, ...this.#guest.instance.stats() };
  }

  /** The plugin's id: the manifest `id` (locked at load; storage keys and permissions use it). */
  get id(): string {
    return this.#guest.state.pluginId;
  }

  /** True when the module exports this function. */
  hasExport(name: string): boolean {
    return this.#guest.exports.has(name);
  }

  /** True when `handleCommand(command)` reaches the guest (`custom_commands` + listed). */
  declaresCommand(command: string): boolean {
    return declaresCommand(this.manifest, command);
  }

  /**
   * Calls any export with raw input and returns its raw output (null when the guest set none).
   * @throws PluginCallError naming the plugin and the export
   */
  call(exportName: string, input: string | Uint8Array = '', options: PluginCallOptions = NO_OPTIONS): Promise<Uint8Array | null> {
    return this.#queued(exportName, options, (signal, timeoutMs, callerSignal) => this.#callNow(exportName, input, [], asBytes, signal, timeoutMs, callerSignal));
  }

  /** The error of a call to an export the module does not have (the guest is not called). */
  #missingExport(exportName: string): PluginCallError {
    const available = [...this.#guest.exports].sort();
    return this.#callError(
      'missing_export',
      exportName,
      `the plugin has no export \`${exportName}\` (its exports: ${available.join(', ') || 'none'}); the plugin was not called`,
      undefined,
      { available },
    );
  }

  /**
   * Queues a call with its options checked: the signal it runs under (the caller's and the
   * plugin's closing) and its deadline.
   */
  #queued<T>(
    exportName: string,
    options: PluginCallOptions,
    run: (signal: AbortSignal, timeoutMs: number | null, callerSignal: AbortSignal | null) => Promise<T>,
  ): Promise<T> {
    if (this.#closed) return Promise.reject(this.#callError('closed', exportName, 'the plugin is closed'));
    const problem = options === NO_OPTIONS ? null : callOptionProblem(options);
    if (problem) return Promise.reject(this.#callError('invalid_input', exportName, `${problem}; the plugin was not called`, undefined, { problem }));
    if (!this.#guest.exports.has(exportName)) return Promise.reject(this.#missingExport(exportName));
    const closing = this.#closing.signal;
    const signal = options.signal ? AbortSignal.any([options.signal, closing]) : closing;
    const timeoutMs = options.timeoutMs === undefined ? this.#options.timeoutMs : options.timeoutMs === Number.POSITIVE_INFINITY ? null : options.timeoutMs;
    // The guest instance is stopped by the caller's signal or by its own close (which close() calls):
    // it is not given the combined signal, which would cost an AbortSignal.any per call.
    const callerSignal = options.signal ?? null;
    return this.#queue.run(() => run(signal, timeoutMs, callerSignal), signal, () => this.#stopError(exportName, new CallAbortedError(signal.reason)));
  }

  /** The error of a call stopped by its signal: `closed` when the plugin closed, else `aborted`. */
  #stopError(exportName: string, cause: CallAbortedError): PluginCallError {
    if (this.#closed) return this.#callError('closed', exportName, 'the plugin was closed before the call finished', cause);
    return this.#callError('aborted', exportName, cause.message, cause, { reason: abortReasonText(cause.reason) });
  }

  // Written with one `then` rather than layers of `await`: this is the path of every guest call,
  // and each layer costs a turn of the microtask queue (measured in `pnpm bench`). `read` turns
  // the output into the caller's result in the same turn.
  #callNow<T>(
    exportName: string,
    input: string | Uint8Array,
    chain: readonly string[],
    read: (output: Uint8Array | null) => T,
    signal: AbortSignal,
    timeoutMs: number | null,
    callerSignal: AbortSignal | null,
  ): Promise<T> {
    if (this.#closed) return Promise.reject(this.#callError('closed', exportName, 'the plugin is closed'));
    if (signal.aborted) return Promise.reject(this.#stopError(exportName, new CallAbortedError(signal.reason)));
    const limit = this.#options.maxInputBytes;
    // A string's UTF-8 size is at most 3 bytes per UTF-16 unit: count only when it could matter.
    const size = typeof input === 'string' ? (input.length * 3 > limit ? utf8ByteLength(input) : 0) : input.byteLength;
    if (size > limit) {
      return Promise.reject(
        this.#callError(
          'input_too_large',
          exportName,
          `the input is ${size} bytes, more than maxInputBytes (${limit}); ` +
            'the plugin was not called. Raise the loader option maxInputBytes if such inputs are expected.',
          undefined,
          { bytes: size, limit },
        ),
      );
    }
    const state = this.#guest.state;
    const guestError = this.#guest.lastGuestError;
    guestError.message = null;
    state.pendingTrap = null;
    state.callChain = chain;
    state.exportName = exportName;
    const settle = (): string | null => {
      // Host work still running for this call (an HTTP request after a timeout) stops now.
      endExportCall(state);
      const trap = state.pendingTrap;
      state.pendingTrap = null;
      state.callChain = [];
      state.exportName = null;
      return trap;
    };
    const recorder = this.#guest.recorder;
    if (recorder !== null) recorder.begin(exportName, input, this.#guest.instance.stats().restarts);
    return this.#guest.instance.call(exportName, input, { timeoutMs, signal: callerSignal }).then(
      (output) => {
        const trap = settle();
        if (trap !== null) throw this.#recorded(this.#callError('host_trap', exportName, trap, undefined, { hostMessage: trap }));
        const bytes = ownedBytes(output);
        // The trace keeps its own copy: the caller may change the bytes it gets.
        if (recorder !== null) recorder.end(bytes?.slice() ?? null, null, this.#guest.instance.stats().restarts);
        return read(bytes);
      },
      (error: unknown) => {
        const trap = settle();
        const cause = toError(error);
        if (trap !== null) throw this.#recorded(this.#callError('host_trap', exportName, trap, cause, { hostMessage: trap }));
        throw this.#recorded(this.#failure(exportName, cause, timeoutMs, guestError.message));
      },
    );
  }

  /** The error of a call the guest did not finish, told to the lifecycle listener when it is a timeout or a crash. */
  #failure(exportName: string, cause: Error, timeoutMs: number | null, logged: string | null): PluginCallError {
    const failure = classifyCallFailure(cause, timeoutMs, logged);
    switch (failure.kind) {
      case 'aborted':
        return this.#stopError(exportName, cause as CallAbortedError);
      case 'timeout': {
        // Where it was: its wasm function (metered), or its JavaScript stack (js-runtime), mapped like guest errors.
        const where = guestLocation(cause, this.hasExport(GUEST_STACK_EXPORT));
        const error = new PluginCallError(
          'timeout',
          this.id,
          exportName,
          `Plugin call timed out: plugin '${this.id}' export \`${exportName}\` ran longer than ${timeoutMs} ms ` +
            `(raise the loader option timeoutMs, or the call's own timeoutMs, if this plugin needs more time)${where === null ? '' : `; ${this.#options.describeGuestError?.(where) ?? where}`}`,
          { cause, details: failure.details, pluginName: this.manifest.name },
        );
        this.#options.lifecycle({ type: 'timeout', pluginId: this.id, exportName, timeoutMs: timeoutMs ?? 0, error });
        return error;
      }
      case 'exit':
      case 'trap': {
        const reason = failure.kind === 'trap' ? (this.#options.describeGuestError?.(failure.reason) ?? failure.reason) : failure.reason;
        const error = this.#callError(failure.kind, exportName, reason, cause, failure.details);
        this.#options.lifecycle({ type: 'crashed', pluginId: this.id, exportName, error });
        return error;
      }
      case 'guest_error':
        return this.#callError('guest_error', exportName, this.#options.describeGuestError?.(failure.reason) ?? failure.reason, cause, failure.details);
    }
  }

  /** Ends the recorded call, if the plugin is recorded, with its error; returns the error. */
  #recorded(error: PluginCallError): PluginCallError {
    this.#guest.recorder?.end(null, error, this.#guest.instance.stats().restarts);
    return error;
  }

  /** The JSON text `build` makes of a caller's value, or a typed `invalid_input` error naming the problem. */
  #inputJson(exportName: string, what: string, build: () => string): string {
    try {
      return build();
    } catch (error) {
      const cause = toError(error);
      const problem =
        cause instanceof RangeError ? `it contains a cycle or nests too deeply (${cause.message})` : cause.message;
      throw this.#callError('invalid_input', exportName, `the ${what} cannot be sent as JSON: ${problem}; the plugin was not called`, cause, { problem });
    }
  }

  #callError(kind: PluginCallErrorKind, exportName: string, reason: string, cause?: Error, details?: PluginCallErrorDetails): PluginCallError {
    const message = `Plugin '${this.id}': Extism call \`${exportName}\` failed: ${reason}`;
    return new PluginCallError(kind, this.id, exportName, message, { cause, details: details ?? {}, pluginName: this.manifest.name });
  }

  // Lifecycle exports are optional: missing → skipped; failures logged, never raised (Rust),
  // unless the loader option lifecycleFailures is 'throw'. Resolves with the failure, or null.
  async #callOptional(exportName: string, input: string, options: PluginCallOptions = NO_OPTIONS, onFailure?: (error: PluginCallError) => void): Promise<PluginCallError | null> {
    if (!this.hasExport(exportName)) return null;
    try {
      await this.call(exportName, input, options);
      return null;
    } catch (error) {
      const failure = error instanceof PluginCallError ? error : this.#callError('trap', exportName, toError(error).message, toError(error), { trap: toError(error).message });
      this.#options.logger.warn(`${pluginLogPrefix(this.id)} ${failure.message}`, { pluginId: this.id, source: 'loader', export: exportName });
      onFailure?.(failure);
      if (this.#options.lifecycleFailures === 'throw') throw failure;
      return failure;
    }
  }

  /**
   * Rust `init`: pushes the stored config with `set_config` (unless it is null or `{}`), then
   * calls `init` with `{"workspace_root": …}`. Never fails because of the guest (unless the
   * loader option `lifecycleFailures` is `'throw'`).
   */
  async init(context: PluginContext = { workspace_root: null }, options: PluginCallOptions = NO_OPTIONS): Promise<void> {
    if (!isEmptyConfig(this.#config)) await this.#callOptional('set_config', sortedJson(this.#config), options);
    await this.#callOptional('init', sortedJson({ ...context, workspace_root: context.workspace_root ?? null }), options);
  }

  /**
   * Sends an event to `on_event` (fire-and-forget: failures of the guest are logged at warn, not raised, unless `lifecycleFailures` is `'throw'`).
   * @throws PluginCallError `invalid_input` when the payload cannot be sent as JSON (BigInt, cycle)
   */
  async onEvent(event: GuestEvent, options: PluginCallOptions = NO_OPTIONS): Promise<void> {
    await this[DELIVER_EVENT](event, options);
  }

  /**
   * @internal {@link onEvent} for a plugin host: resolves with the failure (also told to the
   * lifecycle listener as `event-failed`), or null when the guest handled the event.
   */
  async [DELIVER_EVENT](event: GuestEvent, options: PluginCallOptions = NO_OPTIONS): Promise<PluginCallError | null> {
    const eventType = String(event.event_type);
    const input = this.#inputJson('on_event', `payload of the event '${eventType}'`, () =>
      JSON.stringify({ event_type: event.event_type, payload: sortKeys(event.payload ?? null) }),
    );
    return this.#callOptional('on_event', input, options, (error) =>
      this.#options.lifecycle({ type: 'event-failed', pluginId: this.id, eventType, error }),
    );
  }

  /**
   * Runs a declared command (§8.5). An undeclared command never reaches the guest and answers
   * `success: false` with `error_code: "command_not_declared"`. A guest `success: false` comes
   * back as is, with `error` and `error_code`.
   * @throws PluginCallError when the call fails (`guest_error`, `trap`, `host_trap`, `timeout`, …), the
   * output is not a CommandResponse (`invalid_response`) or the params cannot be sent (`invalid_input`)
   */
  handleCommand(command: string, params: unknown = null, options: PluginCallOptions = NO_OPTIONS): Promise<CommandResponse> {
    return this.#handleCommand(command, params, [], options);
  }

  /** @internal The bridge's entry: a command called by another plugin, with the call chain and the caller's signal. */
  [BRIDGED_COMMAND](command: string, params: unknown, chain: readonly string[], signal?: AbortSignal): Promise<CommandResponse> {
    return this.#handleCommand(command, params, chain, signal ? { signal } : NO_OPTIONS);
  }

  #handleCommand(command: string, params: unknown, chain: readonly string[], options: PluginCallOptions): Promise<CommandResponse> {
    if (!this.declaresCommand(command)) {
      return Promise.resolve({
        success: false,
        error:
          `Plugin '${this.id}' does not declare the command '${command}' ` +
          `(declared: ${this.manifest.commands.join(', ') || 'none'}${this.manifest.capabilities.includes('custom_commands') ? '' : '; the custom_commands capability is missing'})`,
        error_code: 'command_not_declared',
      });
    }
    let input: string;
    try {
      input = this.#inputJson('handle_command', `params of the command '${command}'`, () => JSON.stringify({ command, params: sortKeys(params ?? null) }));
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return this.#queued('handle_command', options, (signal, timeoutMs, callerSignal) =>
      this.#callNow('handle_command', input, chain, (output) => this.#commandResponse(output), signal, timeoutMs, callerSignal),
    );
  }

  #commandResponse(output: Uint8Array | null): CommandResponse {
    const text = output === null ? '' : decodeUtf8Lossy(output);
    try {
      return parseCommandResponse(text);
    } catch (error) {
      const problem = toError(error).message;
      const output = text.slice(0, 200);
      throw new PluginCallError(
        'invalid_response',
        this.id,
        'handle_command',
        `Plugin '${this.id}': Failed to parse command response: ${problem} (output: ${JSON.stringify(output)})`,
        { cause: error, details: { problem, output }, pluginName: this.manifest.name },
      );
    }
  }

  /** The stored config, or null when it is null or `{}` (Rust); never calls the guest. */
  getConfig(): unknown {
    return isEmptyConfig(this.#config) ? null : this.#config;
  }

  /**
   * Stores a new config: saves it (`config.json`, pretty, sorted and atomic, or the app's
   * `saveConfig`), then tells the guest through `set_config`. A failed save keeps the old config
   * and does not notify the guest. Concurrent calls run one after the other, in call order, so the
   * saved config, `getConfig()` and the guest's last `set_config` always agree.
   * @throws PluginCallError `config_write`, or `invalid_input` (nothing saved) when the config cannot be sent as JSON
   */
  setConfig(config: unknown): Promise<void> {
    const update = this.#configUpdates.then(() => this.#setConfigNow(config));
    this.#configUpdates = update.catch(() => undefined);
    return update;
  }

  async #setConfigNow(config: unknown): Promise<void> {
    const input = this.#inputJson('set_config', 'config', () => sortedJson(config));
    if (this.#saveConfig !== null) {
      try {
        await this.#saveConfig(config);
      } catch (error) {
        const where = this.configPath === null ? '' : ` file ${this.configPath}`;
        const problem = toError(error).message;
        throw new PluginCallError('config_write', this.id, 'set_config', `Plugin '${this.id}': Failed to write config${where}: ${problem}`, {
          cause: error,
          details: { configPath: this.configPath, problem },
          pluginName: this.manifest.name,
        });
      }
    }
    this.#config = config;
    await this.#callOptional('set_config', input);
  }

  /** Calls the guest's `shutdown` with `{}` (failures logged at warn, raised only with `lifecycleFailures: 'throw'`). */
  async shutdown(options: PluginCallOptions = NO_OPTIONS): Promise<void> {
    await this.#callOptional('shutdown', '{}', options);
  }

  /** @internal {@link shutdown} for a plugin host: resolves with the failure, or null. */
  [RUN_SHUTDOWN](options: PluginCallOptions = NO_OPTIONS): Promise<PluginCallError | null> {
    return this.#callOptional('shutdown', '{}', options);
  }

  /** `await using plugin = …` closes the plugin at the end of the block (see {@link close}). */
  [asyncDisposeSymbol](): Promise<void> {
    return this.close();
  }

  /**
   * Stops the plugin (terminates its worker). A call in progress is stopped (metered mode: within
   * a slice; worker mode: at once; in-process mode: when it returns) and calls waiting their turn
   * reject at once; they and later calls fail with kind `closed`. Closing twice is harmless.
   */
  close(): Promise<void> {
    if (this.#closedInstance) return this.#closedInstance;
    this.#closed = true;
    this.#closing.abort(new Error('the plugin was closed'));
    this.#closedInstance = this.#guest.instance.close();
    return this.#closedInstance;
  }
}

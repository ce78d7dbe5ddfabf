// What a test plugin's calls did, from the test's side: which are still running (a forgotten
// `await` leaves one running when the test ends), which failed and how (the failing export of a
// failed test), and which timed out (an endless loop costs one deadline per test file, not one per
// test: a later call of the same export, command or event fails at once, naming the first timeout).
import { type LoadedPlugin, PluginCallError } from '@diaryx/loader';

/** One call a test made to a plugin. */
export interface TrackedCall {
  /** How the test called it: `handleCommand('count', {"path":"a.md"})`, `onEvent(file_saved)`. */
  readonly what: string;
  /** The export it reaches. */
  readonly exportName: string;
  /** Made by another tracked call of the same plugin (`init` calls `set_config` and `init`). */
  readonly nested: boolean;
  /** Null while it runs; then how it ended. */
  outcome: null | { ok: true } | { ok: false; error: Error };
  /** Whether the test read the call's result (`await`, `.then`, `expect(…).resolves`, `Promise.all`). */
  observed: boolean;
}

/** The calls of one plugin loaded by `loadTestPlugin`. */
export interface PluginCalls {
  readonly plugin: LoadedPlugin;
  readonly calls: TrackedCall[];
}

/** A timeout seen in this test file: later calls with the same key fail at once. */
interface Hung {
  test: string;
  message: string;
}

// One registry per test file (Vitest isolates test files: each gets these modules afresh).
const hung = new Map<string, Hung>();

/** Where a wasm came from, as a key: its path, or an id per bytes object (the same buffer, the same plugin). */
const byteIds = new WeakMap<Uint8Array, number>();
let nextByteId = 0;
export function wasmKey(wasm: string | Uint8Array): string {
  if (typeof wasm === 'string') return `path:${wasm}`;
  let id = byteIds.get(wasm);
  if (id === undefined) byteIds.set(wasm, (id = nextByteId++));
  return `bytes:${id}`;
}

const short = (value: unknown): string => {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
};

// `await p` on a native promise reads neither `p.then` nor anything else observable; it does read
// `p.then` when `p.constructor` is not Promise (PromiseResolve wraps it, then calls its `then`).
// So the promise a tracked call returns gets its own `then` (which marks it read) and a
// `constructor` without a species (so `then` still makes plain Promises).
const NOT_PROMISE = Object.freeze({});

/** `promise`, calling `read` the first time anything reads its result. */
function observed<T>(promise: Promise<T>, read: () => void): Promise<T> {
  const then = promise.then;
  Object.defineProperty(promise, 'then', {
    value(this: Promise<T>, ...args: Parameters<Promise<T>['then']>) {
      read();
      return then.apply(this, args);
    },
    configurable: true,
    writable: true,
  });
  Object.defineProperty(promise, 'constructor', { value: NOT_PROMISE, configurable: true, writable: true });
  return promise;
}

/** Options of {@link trackPlugin}. */
export interface TrackOptions {
  /** See {@link wasmKey}. */
  wasm: string;
  /** After a timeout, fail later calls of the same export (command, event) in this file at once (default true). */
  failFastAfterTimeout: boolean;
  /** The current test's name, for the message of a later call. */
  testName: () => string;
}

/**
 * Wraps the calls of a loaded plugin (`handleCommand`, `onEvent`, `init`, `setConfig`,
 * `shutdown`, `call`) so the test run knows what they did. The plugin is returned as it is, with
 * those methods replaced on the instance (same signatures, same results).
 */
export function trackPlugin(plugin: LoadedPlugin, options: TrackOptions): PluginCalls {
  const calls: TrackedCall[] = [];
  // The lifecycle calls in flight (init, onEvent, setConfig, shutdown): they reach the guest through
  // call(), and such a call is theirs (nested), its timeout theirs too.
  const lifecycle: Array<{ key: string }> = [];
  const markHung = (key: string, error: Error) => {
    if (error instanceof PluginCallError && error.kind === 'timeout' && !hung.has(key)) {
      hung.set(key, { test: options.testName(), message: error.message.split('\n')[0]! });
    }
  };
  const track = <T>(what: string, exportName: string, key: string, run: () => Promise<T>, kind: 'direct' | 'lifecycle' | 'call'): Promise<T> => {
    const parent = kind === 'call' ? lifecycle.at(-1) : undefined;
    const call: TrackedCall = { what, exportName, nested: parent !== undefined, outcome: null, observed: false };
    const read = () => (call.observed = true);
    const first = options.failFastAfterTimeout ? hung.get(parent?.key ?? key) : undefined;
    if (first !== undefined) {
      const error = new PluginCallError(
        'timeout',
        plugin.id,
        exportName,
        `Plugin call not made: plugin '${plugin.id}' ${what} would wait out its deadline again: the same call timed out in ` +
          `the test "${first.test}" of this file (${first.message}). Fix that endless loop first; every later call of it in this ` +
          'file fails at once (loadTestPlugin option failFastAfterTimeout: false waits each time)',
      );
      call.outcome = { ok: false, error };
      calls.push(call);
      return observed(Promise.reject(error), read);
    }
    calls.push(call);
    const entry = { key };
    if (kind === 'lifecycle') lifecycle.push(entry);
    const done = () => {
      const at = lifecycle.indexOf(entry);
      if (at !== -1) lifecycle.splice(at, 1);
    };
    const result = run().then(
      (value) => {
        done();
        call.outcome = { ok: true };
        return value;
      },
      (error: unknown) => {
        done();
        const failure = error instanceof Error ? error : new Error(String(error));
        call.outcome = { ok: false, error: failure };
        markHung(parent?.key ?? key, failure);
        throw failure;
      },
    );
    // A lifecycle method reads its own nested calls: only the test's calls need reading.
    return kind === 'call' && parent !== undefined ? result : observed(result, read);
  };
  const base = `${options.wasm}|`;
  const original = {
    handleCommand: plugin.handleCommand.bind(plugin),
    onEvent: plugin.onEvent.bind(plugin),
    init: plugin.init.bind(plugin),
    setConfig: plugin.setConfig.bind(plugin),
    shutdown: plugin.shutdown.bind(plugin),
    call: plugin.call.bind(plugin),
  };
  const replace = <K extends keyof typeof original>(name: K, fn: (typeof original)[K]) =>
    Object.defineProperty(plugin, name, { value: fn, configurable: true, writable: true });
  // The call options ({ signal, timeoutMs }) go through unchanged.
  replace('handleCommand', (command, params = null, callOptions) =>
    track(`handleCommand(${short(command)}, ${short(params)})`, 'handle_command', `${base}handle_command|${command}`, () => original.handleCommand(command, params, callOptions), 'direct'),
  );
  replace('onEvent', (event, callOptions) =>
    track(`onEvent(${short(event?.event_type)})`, 'on_event', `${base}on_event|${String(event?.event_type)}`, () => original.onEvent(event, callOptions), 'lifecycle'),
  );
  replace('init', (context, callOptions) => track('init()', 'init', `${base}init`, () => original.init(context, callOptions), 'lifecycle'));
  replace('setConfig', (config) => track(`setConfig(${short(config)})`, 'set_config', `${base}set_config`, () => original.setConfig(config), 'lifecycle'));
  replace('shutdown', (callOptions) => track('shutdown()', 'shutdown', `${base}shutdown`, () => original.shutdown(callOptions), 'lifecycle'));
  replace('call', (exportName, input = '', callOptions) =>
    track(`call(${short(exportName)})`, exportName, `${base}${exportName}`, () => original.call(exportName, input, callOptions), 'call'),
  );
  return { plugin, calls };
}

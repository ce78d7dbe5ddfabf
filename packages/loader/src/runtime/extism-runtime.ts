import type { Worker } from 'node:worker_threads';
import createPlugin, { type Plugin } from '@extism/extism';
import type { ExtismHostFunction, HostLogger } from '@diaryx/host-fns';
import { HOST_NAMESPACE } from '@diaryx/host-fns';
import { toError } from '../errors.js';

// The one module that touches @extism/extism (pinned to 2.0.0-rc13): moving to another SDK
// version is a change here only.

/** How to run one guest instance. */
export interface GuestInstanceOptions {
  module: WebAssembly.Module;
  hostFunctions: Record<string, ExtismHostFunction>;
  runInWorker: boolean;
  /** Per-call deadline (worker mode only); null = none. */
  timeoutMs: number | null;
  /** Cap on Extism kernel memory (host-side blocks), in 64 KiB pages. */
  maxKernelPages: number;
  logger: HostLogger;
  /** Prefix for guest log lines (the plugin's name). */
  logPrefix: () => string;
}

/** A running guest: call exports, close. */
export interface GuestInstance {
  /** Calls an export; `timeoutMs` overrides the instance's deadline for this call (worker mode). */
  call(exportName: string, input: string | Uint8Array, timeoutMs?: number | null): Promise<Uint8Array | null>;
  close(): Promise<void>;
}

// rc13 reads its deadline from `opts.timeoutMs` at every call of a worker plugin; setting it
// per call gives `manifest` a shorter deadline than commands. Internal to this pinned version.
function setCallDeadline(plugin: Plugin, timeoutMs: number | null | undefined): void {
  if (timeoutMs === undefined || timeoutMs === null) return;
  const internal = plugin as unknown as { opts?: { timeoutMs?: number | null } };
  if (internal.opts && 'timeoutMs' in internal.opts) internal.opts.timeoutMs = timeoutMs;
}

/** Marks the SDK's timeout rejection so callers can tell it from a guest failure. */
export function isTimeoutError(error: Error): boolean {
  return error.message.includes('call canceled due to timeout');
}

const compiled = new Map<string, Promise<WebAssembly.Module>>();

/**
 * Compiles a module once per content hash and process; later loads of the same bytes reuse it
 * (a warm `createPlugin` from a compiled module costs well under a millisecond).
 */
export async function compileModule(bytes: Uint8Array, contentHash: string): Promise<WebAssembly.Module> {
  const cached = compiled.get(contentHash);
  if (cached) return cached;
  const pending = WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  compiled.set(contentHash, pending);
  pending.catch(() => compiled.delete(contentHash));
  return pending;
}

function guestLogger(logger: HostLogger, prefix: () => string): Console {
  const line = (message: unknown) => `[plugin ${prefix()}] ${String(message)}`;
  return {
    error: (m: unknown) => logger.error(line(m)),
    warn: (m: unknown) => logger.warn(line(m)),
    info: (m: unknown) => logger.info(line(m)),
    debug: (m: unknown) => logger.debug(line(m)),
    trace: (m: unknown) => logger.trace(line(m)),
    log: (m: unknown) => logger.info(line(m)),
  } as unknown as Console;
}

// The SDK starts each worker without an 'error' listener, so a guest that traps while being
// instantiated (e.g. in its start function) would crash the whole host process. While worker
// plugins are being created, every new worker gets a listener that logs the failure instead; the
// creation then fails through the SDK's own start-up timeout.
const starting = new Map<symbol, HostLogger>();
function guardWorker(worker: Worker): void {
  if (starting.size === 0) return;
  const loggers = [...new Set(starting.values())];
  worker.on('error', (error: unknown) => {
    for (const logger of loggers) logger.error(`a plugin worker failed while starting: ${toError(error).message}`);
  });
}

/** Instantiates a guest with WASI on (as in Rust) and the Diaryx host functions. */
export async function createGuestInstance(options: GuestInstanceOptions): Promise<GuestInstance> {
  let plugin: Plugin;
  const creation = Symbol('creation');
  if (options.runInWorker) {
    if (starting.size === 0) process.on('worker', guardWorker);
    starting.set(creation, options.logger);
  }
  try {
    plugin = await createPlugin(
      { wasm: [{ module: options.module }] },
      {
        useWasi: true,
        enableWasiOutput: false,
        runInWorker: options.runInWorker,
        ...(options.runInWorker && options.timeoutMs !== null ? { timeoutMs: options.timeoutMs } : {}),
        memory: { maxPages: options.maxKernelPages },
        functions: { [HOST_NAMESPACE]: { ...options.hostFunctions } },
        logger: guestLogger(options.logger, options.logPrefix),
        logLevel: 'trace',
      },
    );
  } catch (error) {
    throw toError(error);
  } finally {
    if (options.runInWorker) {
      starting.delete(creation);
      if (starting.size === 0) process.off('worker', guardWorker);
    }
  }
  return {
    async call(exportName, input, timeoutMs) {
      let output;
      try {
        if (options.runInWorker) setCallDeadline(plugin, timeoutMs ?? options.timeoutMs);
        output = await plugin.call(exportName, input);
      } catch (error) {
        throw toError(error);
      }
      return output === null ? null : output.bytes().slice();
    },
    async close() {
      await plugin.close();
    },
  };
}

import { sha256Hex } from '@diaryx/host-fns';
import { MeterError, meterModuleInSlices } from '@diaryx/wasm';
import type { ResolvedLoaderOptions } from '../options.js';
import { capMemory } from '../sandbox/memory-cap.js';
import { afterPendingTasks } from './after-pending-tasks.js';
import { exposeExportStatus } from './export-status.js';
import { deferGuestEntry, GuestEntryError, routeProcExit } from './guest-entry-rewrite.js';

/**
 * Produces a plugin's compiled module, memory-capped to `maxPages` (64 KiB each) and, when
 * `metered`, rewritten with fuel checks (the rewritten module is what the cache keeps).
 */
export type ModuleSource = (maxPages: number, metered: boolean) => Promise<WebAssembly.Module>;

/** What the load path allows a module besides its memory (the loader options of these names). */
export type ModuleBudget = Pick<ResolvedLoaderOptions, 'maxModuleBytes' | 'maxTableElements'>;

const MIB = 1024 * 1024;

/**
 * Refuses a module larger than the budget, before any work on it.
 * @throws Error naming the size, the budget and the option
 */
export function assertWithinBudget(size: number, budget: ModuleBudget): void {
  if (size <= budget.maxModuleBytes) return;
  const mib = (n: number) => `${(n / MIB).toFixed(1)} MiB`;
  throw new Error(
    `the module is ${size} bytes (${mib(size)}), more than the loader's budget of ${budget.maxModuleBytes} bytes (${mib(budget.maxModuleBytes)}): ` +
      "its load-time rewrites would hold the app's thread too long; raise the loader option maxModuleBytes to load it",
  );
}

const byContent = new Map<string, Promise<WebAssembly.Module>>();

/** Shares one pending compilation per key; a failed one is forgotten so a retry compiles again. */
export function remember(
  cache: Map<string, Promise<WebAssembly.Module>>,
  key: string,
  make: () => Promise<WebAssembly.Module>,
): Promise<WebAssembly.Module> {
  const cached = cache.get(key);
  if (cached) return cached;
  const pending = make();
  cache.set(key, pending);
  pending.catch(() => cache.delete(key));
  return pending;
}

async function contentKey(bytes: Uint8Array): Promise<string> {
  // Web Crypto is native and async; pages served without HTTPS (other than localhost) lack it.
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return sha256Hex(bytes);
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The metering rewriter's refusal, when that is why a compile failed. */
export function meterRefusal(error: unknown): MeterError | null {
  return error instanceof Error && error.cause instanceof MeterError ? error.cause : null;
}

/** The app's thread's turn between slices of a load's work. */
const pause = () => afterPendingTasks(undefined);

/**
 * Rewrites a module with fuel checks, in slices of a few milliseconds of the app's thread, and
 * defers its start code to metered calls (see guest-entry-rewrite.ts); a module the rewriter
 * refuses names the way out.
 */
async function metered(bytes: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  try {
    return deferGuestEntry((await meterModuleInSlices(bytes, { pause })).bytes) as Uint8Array<ArrayBuffer>;
  } catch (error) {
    const refusal = error instanceof GuestEntryError ? new MeterError('unsupported_feature', error.message) : error;
    if (refusal instanceof MeterError) {
      throw new Error(`${refusal.message} (load it with mode: 'worker' to run it unmodified with a deadline)`, { cause: refusal });
    }
    throw error;
  }
}

/**
 * Refuses a module over the size budget, caps its memory and tables, makes its exports' status
 * readable (see export-status.ts), meters it when asked, and compiles it, once per content
 * (SHA-256 of the capped bytes, and whether metered) and JavaScript realm. Each pass is linear
 * in the module's size; the app's thread gets a turn between them and, while metering, every
 * few milliseconds; validation and compilation run on the engine's own threads.
 * @throws Error when the bytes are over the budget, not valid wasm, need more memory or table
 * elements than the cap, or cannot be metered
 */
export async function compileCapped(bytes: Uint8Array, maxPages: number, meter: boolean, budget: ModuleBudget): Promise<WebAssembly.Module> {
  assertWithinBudget(bytes.length, budget);
  const capped = capMemory(bytes, { maxPages, maxTableElements: budget.maxTableElements });
  const key = `${await contentKey(capped)}${meter ? ':metered' : ''}`;
  return remember(byContent, key, async () => {
    const asWritten = await compileAsWritten(capped);
    await pause();
    const withStatus = exposeExportStatus(capped);
    if (!meter) {
      const routed = routeProcExit(withStatus);
      return routed === capped ? asWritten : WebAssembly.compile(routed as Uint8Array<ArrayBuffer>);
    }
    await pause();
    const rewritten = await metered(withStatus);
    try {
      return await WebAssembly.compile(rewritten);
    } catch (error) {
      // The module was valid before; the checks can push it past an engine limit (a function's
      // size, say): it cannot be metered, which mode 'auto' answers with a worker.
      if (!(error instanceof WebAssembly.CompileError)) throw error;
      const refusal = new MeterError('unsupported_feature', `the metered module exceeds a limit of this engine: ${error.message}`);
      throw new Error(`${refusal.message} (load it with mode: 'worker' to run it unmodified with a deadline)`, { cause: refusal });
    }
  });
}

/**
 * Compiles the module as the plugin wrote it (memory capped), which refuses one that is not
 * valid with the engine's own message. The rewrites add globals and functions just past the
 * module's own indices: code that names them is invalid before the rewrite and would be valid
 * after it (a metered plugin setting its own fuel would never be stopped), so validity is
 * checked before any rewrite, not after. An async compile, not `WebAssembly.validate`: the
 * engine validates on its own threads (the synchronous check held the app's thread ~10 ms per
 * MiB of code).
 */
function compileAsWritten(bytes: Uint8Array): Promise<WebAssembly.Module> {
  return WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
}

/** The source of wasm given as bytes. */
export function bytesSource(bytes: Uint8Array, budget: ModuleBudget): ModuleSource {
  return (maxPages, meter) => compileCapped(bytes, maxPages, meter, budget);
}

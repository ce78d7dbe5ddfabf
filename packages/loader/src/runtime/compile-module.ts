import { sha256Hex } from '@diaryx/host-fns';
import { MeterError, meterModule } from '@diaryx/wasm';
import { capMemory } from '../sandbox/memory-cap.js';
import { exposeExportStatus } from './export-status.js';
import { deferGuestEntry, GuestEntryError, routeProcExit } from './guest-entry-rewrite.js';

/**
 * Produces a plugin's compiled module, memory-capped to `maxPages` (64 KiB each) and, when
 * `metered`, rewritten with fuel checks (the rewritten module is what the cache keeps).
 */
export type ModuleSource = (maxPages: number, metered: boolean) => Promise<WebAssembly.Module>;

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

/**
 * Rewrites a module with fuel checks and defers its start code to metered calls (see
 * guest-entry-rewrite.ts); a module the rewriter refuses names the way out.
 */
function metered(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  try {
    return deferGuestEntry(meterModule(bytes).bytes) as Uint8Array<ArrayBuffer>;
  } catch (error) {
    const refusal = error instanceof GuestEntryError ? new MeterError('unsupported_feature', error.message) : error;
    if (refusal instanceof MeterError) {
      throw new Error(`${refusal.message} (load it with mode: 'worker' to run it unmodified with a deadline)`, { cause: refusal });
    }
    throw error;
  }
}

/**
 * Caps the module's memory, makes its exports' status readable (see export-status.ts), meters
 * it when asked, and compiles it, once per content (SHA-256 of the capped bytes, and whether
 * metered) and JavaScript realm.
 * @throws Error when the bytes are not valid wasm, need more memory than the cap, or cannot be metered
 */
export async function compileCapped(bytes: Uint8Array, maxPages: number, meter = false): Promise<WebAssembly.Module> {
  const capped = capMemory(bytes, maxPages);
  const key = `${await contentKey(capped)}${meter ? ':metered' : ''}`;
  return remember(byContent, key, async () => {
    await assertValid(capped);
    const withStatus = exposeExportStatus(capped);
    if (!meter) return WebAssembly.compile(routeProcExit(withStatus) as Uint8Array<ArrayBuffer>);
    try {
      return await WebAssembly.compile(metered(withStatus));
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
 * Refuses a module that is not valid as the plugin wrote it, with the engine's own message.
 * The rewrites add globals and functions just past the module's own indices: code that names
 * them is invalid before the rewrite and would be valid after it (a metered plugin setting its
 * own fuel would never be stopped), so validity is checked before any rewrite, not after.
 */
async function assertValid(bytes: Uint8Array): Promise<void> {
  if (WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) return;
  await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  throw new Error('the module is not valid WebAssembly');
}

/** The source of wasm given as bytes. */
export function bytesSource(bytes: Uint8Array): ModuleSource {
  return (maxPages, meter) => compileCapped(bytes, maxPages, meter);
}

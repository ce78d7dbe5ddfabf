import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { capMemory } from '../sandbox/memory-cap.js';

/** Where a module comes from: bytes, or a file (cached by path, mtime and size). */
export type WasmSource = Uint8Array | { path: string };

const byContent = new Map<string, Promise<WebAssembly.Module>>();
const byFile = new Map<string, Promise<WebAssembly.Module>>();

function remember(cache: Map<string, Promise<WebAssembly.Module>>, key: string, make: () => Promise<WebAssembly.Module>) {
  const cached = cache.get(key);
  if (cached) return cached;
  const pending = make();
  cache.set(key, pending);
  pending.catch(() => cache.delete(key));
  return pending;
}

function compileCapped(bytes: Uint8Array, maxPages: number): Promise<WebAssembly.Module> {
  const capped = capMemory(bytes, maxPages);
  const hash = createHash('sha256').update(capped).digest('hex');
  return remember(byContent, hash, () => WebAssembly.compile(capped as Uint8Array<ArrayBuffer>));
}

/**
 * The compiled module of a plugin, memory-capped to `maxPages`, compiled once per content and
 * process. A file whose path, mtime and size are unchanged is not even read again.
 * @throws Error when the file cannot be read, is not valid wasm, or needs more memory than the cap
 */
export async function loadModule(source: WasmSource, maxPages: number): Promise<WebAssembly.Module> {
  if (source instanceof Uint8Array) return compileCapped(source, maxPages);
  let info;
  try {
    info = await stat(source.path, { bigint: true });
  } catch (error) {
    throw new Error(`cannot read ${source.path}: ${(error as Error).message}`);
  }
  const key = `${source.path}\u0000${info.mtimeNs}\u0000${info.size}\u0000${maxPages}`;
  return remember(byFile, key, async () => {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(source.path));
    } catch (error) {
      throw new Error(`cannot read ${source.path}: ${(error as Error).message}`);
    }
    return compileCapped(bytes, maxPages);
  });
}

import { readFile, stat } from 'node:fs/promises';
import { assertWithinBudget, compileCapped, type ModuleBudget, type ModuleSource, remember } from '../runtime/compile-module.js';
import { loadRacePoint } from './load-race-points.js';

const byFile = new Map<string, Promise<WebAssembly.Module>>();

/** What identifies a wasm file's content without reading it. */
export interface WasmFileInfo {
  mtimeNs: bigint;
  size: bigint;
}

/**
 * The source of a wasm file: compiled once per content, and a file whose path, mtime and size
 * are unchanged is not even read again (a warm start of a plugins folder reads no wasm).
 * `known` is the file's stat when the caller already has it. A file over the budget's size is
 * refused before it is read.
 */
export function fileSource(path: string, budget: ModuleBudget, known?: WasmFileInfo): ModuleSource {
  return async (maxPages, metered) => {
    let info = known;
    if (info === undefined) {
      try {
        info = await stat(path, { bigint: true });
      } catch (error) {
        throw new Error(`cannot read ${path}: ${(error as Error).message}`);
      }
    }
    if (info.size > BigInt(budget.maxModuleBytes)) assertWithinBudget(Number(info.size), budget);
    const key = `${path}\u0000${info.mtimeNs}\u0000${info.size}\u0000${maxPages}\u0000${budget.maxTableElements}\u0000${budget.maxModuleBytes}\u0000${metered}`;
    return remember(byFile, key, async () => {
      let bytes: Uint8Array;
      try {
        await loadRacePoint('wasm-read', path);
        bytes = new Uint8Array(await readFile(path));
      } catch (error) {
        throw new Error(`cannot read ${path}: ${(error as Error).message}`);
      }
      return compileCapped(bytes, maxPages, metered, budget);
    });
  };
}

import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { HOST_FUNCTION_NAMES, HOST_NAMESPACE } from '@diaryx/host-fns';

/** What a module exports and imports, read without running it. */
export interface ModuleInfo {
  exports: string[];
  /** Diaryx host functions it imports (`extism:host/user`). */
  hostImports: string[];
  /** Imports no Diaryx host provides, as `"module" "name"`. */
  unknownImports: string[];
  /**
   * The host functions the plugin's code references, when the module says so (a js-runtime
   * plugin's `diaryx.host_functions` section: its runtime imports all 31); null otherwise.
   */
  referencedHostFunctions: string[] | null;
}

/** The custom section `diaryx-js build` writes: a JSON array of host function names. */
const HOST_FUNCTIONS_SECTION = 'diaryx.host_functions';

function referencedHostFunctions(module: WebAssembly.Module): string[] | null {
  const [section] = WebAssembly.Module.customSections(module, HOST_FUNCTIONS_SECTION);
  if (section === undefined) return null;
  try {
    const names = JSON.parse(new TextDecoder().decode(section)) as unknown;
    const known = new Set<string>(HOST_FUNCTION_NAMES);
    return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string' && known.has(n)) : null;
  } catch {
    return null;
  }
}

const KNOWN_MODULES = new Set(['extism:host/env', 'wasi_snapshot_preview1']);

/** A plugin path: a `.wasm` file, or a folder holding `plugin.wasm`. */
export async function resolveWasmPath(path: string): Promise<string> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new Error(`${path} does not exist`);
  return info.isDirectory() ? join(path, 'plugin.wasm') : path;
}

/** Compiles the module (no instance) and lists its exports and imports. */
export async function moduleInfo(wasmPath: string): Promise<ModuleInfo> {
  const module = await WebAssembly.compile(await readFile(wasmPath));
  const known = new Set(HOST_FUNCTION_NAMES);
  const hostImports: string[] = [];
  const unknownImports: string[] = [];
  for (const entry of WebAssembly.Module.imports(module)) {
    if (entry.module === HOST_NAMESPACE && known.has(entry.name)) hostImports.push(entry.name);
    else if (!KNOWN_MODULES.has(entry.module) || entry.kind !== 'function') unknownImports.push(`"${entry.module}" "${entry.name}"`);
  }
  const exports = WebAssembly.Module.exports(module)
    .filter((e) => e.kind === 'function')
    .map((e) => e.name);
  return { exports, hostImports, unknownImports, referencedHostFunctions: referencedHostFunctions(module) };
}

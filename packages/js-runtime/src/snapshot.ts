import {
  dataCountSection,
  dataSection,
  type DefinedGlobal,
  type ExportEntry,
  i32ConstExpr,
  importedGlobalCount,
  memorySection,
  readExports,
  readGlobals,
  readSections,
  SECTION,
  type Section,
  writeExports,
  writeGlobals,
  writeModule,
} from '@diaryx/wasm';

/** A script evaluated into the snapshot, in order (the prelude, then the plugin bundle). */
export interface SnapshotScript {
  /** The name QuickJS reports in errors and stacks. */
  file: string;
  source: string;
}

/** A failure of the plugin's own code while it was evaluated at build time. */
export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
}

const PAGE = 65536;
const GLOBAL_EXPORT = '__snapshot_global_';
const SLOT_EXPORT = '__diaryx_export_';
/**
 * The one runtime export a built plugin keeps besides its own: the JavaScript stack of a call a
 * trap stopped (see native/runtime.c), which the loader reads to say where a timed-out plugin was.
 */
export const WHERE_EXPORT = '__diaryx_where';
/** The QuickJS stack limit: below the 1 MiB wasm stack, so deep recursion is a JS error. */
const MAX_STACK_BYTES = 256 * 1024;
const WASI_ENOSYS = 52;
const WASI_EBADF = 8;

interface RuntimeExports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  __diaryx_init(maxStackBytes: number): number;
  __diaryx_alloc(size: number): number;
  __diaryx_eval(source: number, length: number, file: number): number;
  __diaryx_bind_exports(): number;
  __diaryx_message(): number;
  __diaryx_message_length(): number;
}

/**
 * Build-time imports: WASI answers deterministically (clock 0, zero "random" bytes), so the same
 * code gives the same snapshot; Extism and Diaryx functions are not available while a plugin's
 * top-level code runs.
 */
function buildImports(module: WebAssembly.Module, memory: () => WebAssembly.Memory): WebAssembly.Imports {
  const imports: Record<string, Record<string, (...args: never[]) => unknown>> = {};
  for (const entry of WebAssembly.Module.imports(module)) {
    imports[entry.module] ??= {};
    const table = imports[entry.module]!;
    if (entry.module === 'wasi_snapshot_preview1') {
      table[entry.name] = (() => WASI_ENOSYS) as never;
      continue;
    }
    table[entry.name] = (() => {
      throw new SnapshotError(
        `${entry.name} was called while the plugin's top-level code ran at build time; ` +
          'call Host, Memory, Var, Config, Http and host functions inside an exported function',
      );
    }) as never;
  }
  const wasi = imports.wasi_snapshot_preview1 ?? {};
  const view = () => new DataView(memory().buffer);
  wasi.clock_time_get = ((_id: number, _precision: bigint, out: number) => {
    view().setBigUint64(out, 0n, true);
    return 0;
  }) as never;
  wasi.random_get = ((pointer: number, length: number) => {
    new Uint8Array(memory().buffer, pointer, length).fill(0);
    return 0;
  }) as never;
  wasi.fd_write = ((_fd: number, iovs: number, count: number, written: number) => {
    let total = 0;
    for (let i = 0; i < count; i++) total += view().getUint32(iovs + i * 8 + 4, true);
    view().setUint32(written, total, true);
    return 0;
  }) as never;
  wasi.fd_close = (() => WASI_EBADF) as never;
  wasi.fd_seek = (() => WASI_EBADF) as never;
  return imports as WebAssembly.Imports;
}

function nonZeroRuns(memory: Uint8Array): Array<{ offset: number; bytes: Uint8Array }> {
  // Runs of non-zero bytes; gaps shorter than a segment's own overhead are kept inside.
  const runs: Array<{ offset: number; bytes: Uint8Array }> = [];
  const MERGE_GAP = 16;
  let i = 0;
  while (i < memory.length) {
    while (i < memory.length && memory[i] === 0) i++;
    if (i >= memory.length) break;
    const start = i;
    let end = i;
    while (i < memory.length) {
      if (memory[i] !== 0) {
        end = ++i;
        continue;
      }
      let zeros = 0;
      while (i < memory.length && memory[i] === 0 && zeros < MERGE_GAP) {
        i++;
        zeros++;
      }
      if (zeros >= MERGE_GAP || i >= memory.length) break;
    }
    runs.push({ offset: start, bytes: memory.slice(start, end) });
  }
  return runs;
}

function replaceSection(sections: Section[], id: number, body: Uint8Array): void {
  const index = sections.findIndex((s) => s.id === id);
  if (index === -1) throw new Error(`the runtime has no section ${id}`);
  sections[index] = { id, body };
}

/**
 * Runs the runtime's start-up and the scripts at build time, then writes a module whose memory
 * and globals start where they ended: a plugin's first call runs no engine start-up and no parse.
 * Its exports are the functions the plugin bundle exported (`globalThis.__diaryx_plugin`), in
 * place of the runtime's numbered slots; the build-only exports are removed.
 * @throws SnapshotError when a script fails (its message and stack) or defines no exports
 */
export async function snapshotPlugin(runtime: Uint8Array, scripts: readonly SnapshotScript[]): Promise<{ wasm: Uint8Array; exports: string[] }> {
  const sections = readSections(runtime);
  const globalSection = sections.find((s) => s.id === SECTION.global);
  const exportSection = sections.find((s) => s.id === SECTION.export);
  if (!globalSection || !exportSection) throw new Error('the runtime has no global or export section');
  const globals = readGlobals(globalSection.body, importedGlobalCount(sections));
  const exportsOfRuntime = readExports(exportSection.body);

  // Instantiate a copy whose mutable globals are exported, so their values can be read.
  const probeSections = sections.map((s) =>
    s.id === SECTION.export
      ? {
          id: s.id,
          body: writeExports([
            ...exportsOfRuntime,
            ...globals.filter((g) => g.mutable).map((g) => ({ name: `${GLOBAL_EXPORT}${g.index}`, kind: 3, index: g.index })),
          ]),
        }
      : s,
  );
  const module = await WebAssembly.compile(writeModule(probeSections) as Uint8Array<ArrayBuffer>);
  let memory: WebAssembly.Memory | null = null;
  const instance = await WebAssembly.instantiate(module, buildImports(module, () => memory!));
  const exports = instance.exports as unknown as RuntimeExports & Record<string, WebAssembly.Global>;
  memory = exports.memory;

  const message = () => new TextDecoder().decode(new Uint8Array(memory!.buffer, exports.__diaryx_message(), exports.__diaryx_message_length()));
  const copyIn = (text: string, terminate: boolean) => {
    const bytes = new TextEncoder().encode(text);
    const pointer = exports.__diaryx_alloc(bytes.length + 1);
    const target = new Uint8Array(memory!.buffer, pointer, bytes.length + 1);
    target.set(bytes);
    if (terminate) target[bytes.length] = 0;
    return { pointer, length: bytes.length };
  };

  exports._initialize();
  if (exports.__diaryx_init(MAX_STACK_BYTES) !== 0) throw new Error('QuickJS could not start (out of memory?)');
  for (const script of scripts) {
    const source = copyIn(script.source, false);
    const file = copyIn(script.file, true);
    if (exports.__diaryx_eval(source.pointer, source.length, file.pointer) !== 0) {
      throw new SnapshotError(`${script.file}: ${message()}`);
    }
  }
  const bound = exports.__diaryx_bind_exports();
  if (bound < 0) throw new SnapshotError(message());
  const names = message().split('\n').filter((name) => name !== '');

  const image = new Uint8Array(memory.buffer.slice(0));
  const snapshotGlobals: DefinedGlobal[] = globals.map((g) => {
    if (!g.mutable) return g;
    const value = exports[`${GLOBAL_EXPORT}${g.index}`]!.value as unknown;
    if (typeof value !== 'number') throw new Error(`the runtime has a mutable non-i32 global (${g.index})`);
    return { ...g, init: i32ConstExpr(value) };
  });
  const segments = nonZeroRuns(image);
  const pluginExports: ExportEntry[] = [];
  for (const entry of exportsOfRuntime) {
    if (entry.name.startsWith(SLOT_EXPORT)) {
      const slot = Number(entry.name.slice(SLOT_EXPORT.length));
      if (slot < names.length) pluginExports.push({ ...entry, name: names[slot]! });
    } else if (entry.name === WHERE_EXPORT || (entry.name !== '_initialize' && !entry.name.startsWith('__diaryx_'))) {
      pluginExports.push(entry);
    }
  }

  const output = sections.slice();
  replaceSection(output, SECTION.memory, memorySection(image.length / PAGE));
  replaceSection(output, SECTION.global, writeGlobals(snapshotGlobals));
  replaceSection(output, SECTION.export, writeExports(pluginExports));
  replaceSection(output, SECTION.data, dataSection(segments));
  const dataCount = output.findIndex((s) => s.id === SECTION.dataCount);
  if (dataCount !== -1) output[dataCount] = { id: SECTION.dataCount, body: dataCountSection(segments.length) };
  return { wasm: writeModule(output), exports: names };
}

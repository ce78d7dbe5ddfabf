import { METER_CORE_WASM } from './meter-core-wasm.generated.js';
import { hex, MeterError } from './meter-error.js';

// The code-section scan of the rewriter lives in assembly/meter-core.ts (AssemblyScript, built
// into meter-core-wasm.generated.ts by scripts/build-core.mjs); this file drives it.

interface CoreExports {
  memory: WebAssembly.Memory;
  prepare(inputLength: number, outputCapacity: number, importCount: number): number;
  remapStart(): number;
  beginCode(importedFunctions: number, added: number, fuelGlobal: number, meterFunction: number, chargeFunction: number): number;
  continueCode(sliceBytes: number): number;
  outputStart(): number;
  outputLength(): number;
  checksInserted(): number;
  errorKind: WebAssembly.Global<'i32'>;
  errorDetail: WebAssembly.Global<'i32'>;
  errorSub: WebAssembly.Global<'i32'>;
  errorAt: WebAssembly.Global<'i32'>;
  errorFunction: WebAssembly.Global<'i32'>;
  errorInLocals: WebAssembly.Global<'i32'>;
}

// Mirrors the constants of assembly/meter-core.ts.
const ERROR = { malformed: 1, opcode: 2, blockType: 3, valueType: 4, noSpace: 5 } as const;
const MALFORMED: Record<number, (where: string, body: number) => string> = {
  1: (where) => `${where} has no end`,
  2: () => 'bad LEB128 number',
  3: () => 'truncated',
  4: (_, body) => `function body ${body} is truncated`,
  5: (where) => `${where} has bytes after its end`,
  6: (where) => `${where} calls a function index out of range`,
};

/** How the code section is renumbered and metered. */
export interface CodeRewrite {
  /** Functions imported before the imports the rewrite adds. */
  importedFunctions: number;
  /** The functions the rewrite imports (the meter's last): every defined function's index grows by as many. */
  addedImports: number;
  /** The index each imported function's references take (the function pricing it), by import index. */
  importRemap: Uint32Array;
  fuelGlobal: number;
  meterFunction: number;
  /** The added function that takes fuel for a bulk operation's length. */
  chargeFunction: number;
  /** A function's name by index, if it has one (for messages). */
  functionName(index: number): string | undefined;
}

// One instance kept for the next rewrite; a rewrite that finds it busy (another one paused
// between slices) makes its own.
let kept: CoreExports | undefined;
let keptBusy = false;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  // Native where the runtime has it (Node 25+, current browsers); atob elsewhere.
  const native = Uint8Array as { fromBase64?: (text: string) => Uint8Array<ArrayBuffer> };
  if (native.fromBase64) return native.fromBase64(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

let coreModule: WebAssembly.Module | undefined;

function newCore(): CoreExports {
  coreModule ??= new WebAssembly.Module(decodeBase64(METER_CORE_WASM));
  return new WebAssembly.Instance(coreModule, {}).exports as unknown as CoreExports;
}

// The kept instance when it is free: creating one (and its memory) costs more than rewriting a
// small module. Its memory grows to what the largest module rewritten so far needed (a few MB
// for QuickJS).
function takeCore(): { core: CoreExports; release: () => void } {
  if (keptBusy) return { core: newCore(), release: () => undefined };
  kept ??= newCore();
  keptBusy = true;
  return { core: kept, release: () => (keptBusy = false) };
}

function refusal(core: CoreExports, rw: CodeRewrite): MeterError {
  const body = core.errorFunction.value;
  const index = rw.importedFunctions + body;
  const name = rw.functionName(index);
  const where = body < 0 ? 'the code section' : `function ${index}${name === undefined ? '' : ` (${name})`}`;
  const detail = core.errorDetail.value;
  const at = core.errorAt.value;
  switch (core.errorKind.value) {
    case ERROR.opcode: {
      const sub = core.errorSub.value;
      const op = sub >= 0 ? `${hex(detail)} ${sub}` : hex(detail);
      return new MeterError('unsupported_opcode', `unsupported opcode ${op} in ${where} at byte ${at}; the plugin cannot be metered`);
    }
    case ERROR.blockType:
      return new MeterError('unsupported_opcode', `unsupported opcode block type ${detail} in ${where} at byte ${at}; the plugin cannot be metered`);
    case ERROR.valueType:
      return new MeterError('unsupported_feature', `unsupported value type ${hex(detail)} in ${core.errorInLocals.value ? `the locals of ${where}` : where}`);
    default:
      return new MeterError('malformed', `malformed wasm: ${(MALFORMED[detail] ?? (() => `error ${detail} at byte ${at}`))(where, body)}`);
  }
}

/** Input bytes of the code section one step rewrites (~1-3 ms of work). */
const SLICE_BYTES = 256 * 1024;

/**
 * Rewrites a code section's body: a fuel check at every function entry and loop header, a call
 * of the charge function before every bulk memory/table operation, and calls / `ref.func`
 * renumbered for the added imports and the functions that price imports. A generator: it
 * yields after each slice of function bodies, where its caller may give the thread back.
 * @throws MeterError naming the opcode and the function it does not know
 */
export function* rewriteCodeSection(body: Uint8Array, rw: CodeRewrite): Generator<void, { bytes: Uint8Array; checks: number }> {
  // Checks add ~5 % to real code; a section that needs more is rewritten again with more room.
  let capacity = body.length + (body.length >> 2) + 4096;
  for (;;) {
    const { core, release } = takeCore();
    try {
      const at = core.prepare(body.length, capacity, rw.importedFunctions);
      if (at === 0) throw new MeterError('malformed', `malformed wasm: a code section of ${body.length} bytes is too large to meter`);
      new Uint8Array(core.memory.buffer, at, body.length).set(body);
      new Uint32Array(core.memory.buffer, core.remapStart(), rw.importedFunctions).set(rw.importRemap);
      let status = core.beginCode(rw.importedFunctions, rw.addedImports, rw.fuelGlobal, rw.meterFunction, rw.chargeFunction);
      while (status === 1) {
        yield;
        status = core.continueCode(SLICE_BYTES);
      }
      if (status === 0) {
        yield; // the copy out of the core's memory is a step of its own
        return { bytes: new Uint8Array(core.memory.buffer, core.outputStart(), core.outputLength()).slice(), checks: core.checksInserted() };
      }
      if (core.errorKind.value !== ERROR.noSpace) throw refusal(core, rw);
    } finally {
      release();
    }
    capacity *= 2;
  }
}

// The instruction scan of the metering rewriter (src/meter.ts), compiled to WebAssembly by the
// package's build: the engine's baseline compiler runs it at full speed from its first byte, where
// the same loop in JavaScript spends a cold rewrite of a 900 KB module in V8's slow tiers
// (~90 ms against ~10 ms once optimised). One call rewrites a whole code section.
//
// Memory (set up by `prepare`): the input (a code section body), the output, and two stacks for
// the blocks open in the body being rewritten. Errors set the `error*` globals and return -1;
// src/meter-core.ts turns them into MeterError messages.

// What follows an opcode.
const NONE: u8 = 0;
const LEB: u8 = 1;
const LEB2: u8 = 2;
const MEMARG: u8 = 3;
const BLOCK: u8 = 4;
const LOOP: u8 = 5;
const END: u8 = 6;
const BR_TABLE: u8 = 7;
const FUNCTION_INDEX: u8 = 8;
const SELECT_T: u8 = 9;
const SKIP4: u8 = 10;
const SKIP8: u8 = 11;
const REF_NULL: u8 = 12;
const PREFIX_FC: u8 = 13;
const PREFIX_FD: u8 = 14;
const UNKNOWN: u8 = 15;

// Error kinds and, for ERROR_MALFORMED, what was wrong (mirrored in src/meter-core.ts).
const ERROR_MALFORMED = 1;
const ERROR_OPCODE = 2;
const ERROR_BLOCK_TYPE = 3;
const ERROR_VALUE_TYPE = 4;
const ERROR_NO_SPACE = 5;
const MALFORMED_NO_END = 1;
const MALFORMED_LEB = 2;
const MALFORMED_TRUNCATED = 3;
const MALFORMED_BODY_TRUNCATED = 4;
const MALFORMED_BYTES_AFTER_END = 5;
const MALFORMED_FUNCTION_INDEX = 6;

const MAX_WEIGHT = 1_000_000;
// A call into the host (an Extism kernel, WASI or Diaryx function) costs ~100-1,000 times an
// instruction: weighing it so keeps the time a refill can buy bounded for loops of such calls.
const IMPORT_CALL_WEIGHT = 256;
const INDIRECT_CALL_WEIGHT = 64;

const TABLE = memory.data(256);

let inBase: usize = 0;
let inEnd: usize = 0;
let outBase: usize = 0;
let outPos: usize = 0;
let outEnd: usize = 0;
let blocks: usize = 0;
let loops: usize = 0;
let remap: usize = 0;
let importedFunctions: u32 = 0;
let indexShift: u32 = 1;
let fuelGlobal: u32 = 0;
let meterFunction: u32 = 0;
let chargeFunction: u32 = 0;
let checks: u32 = 0;
let lebEnd: usize = 0;

export let errorKind: i32 = 0;
export let errorDetail: i32 = 0;
export let errorSub: i32 = -1;
export let errorAt: i32 = 0;
export let errorFunction: i32 = -1;
export let errorInLocals: i32 = 0;

function setKinds(): void {
  memory.fill(TABLE, UNKNOWN, 256);
  for (let op = 0x45; op <= 0xc4; op++) store<u8>(TABLE + op, NONE); // numeric (incl. sign extension)
  for (let op = 0x28; op <= 0x3e; op++) store<u8>(TABLE + op, MEMARG); // loads and stores
  // unreachable, nop, else, return, drop, select, ref.is_null
  store<u8>(TABLE + 0x00, NONE);
  store<u8>(TABLE + 0x01, NONE);
  store<u8>(TABLE + 0x05, NONE);
  store<u8>(TABLE + 0x0f, NONE);
  store<u8>(TABLE + 0x1a, NONE);
  store<u8>(TABLE + 0x1b, NONE);
  store<u8>(TABLE + 0xd1, NONE);
  store<u8>(TABLE + 0x02, BLOCK);
  store<u8>(TABLE + 0x04, BLOCK); // if
  store<u8>(TABLE + 0x03, LOOP);
  store<u8>(TABLE + 0x0b, END);
  // br, br_if, local.get/set/tee, global.get/set, table.get/set, memory.size/grow, i32/i64.const
  store<u8>(TABLE + 0x0c, LEB);
  store<u8>(TABLE + 0x0d, LEB);
  for (let op = 0x20; op <= 0x26; op++) store<u8>(TABLE + op, LEB);
  store<u8>(TABLE + 0x3f, LEB);
  store<u8>(TABLE + 0x40, LEB);
  store<u8>(TABLE + 0x41, LEB);
  store<u8>(TABLE + 0x42, LEB);
  store<u8>(TABLE + 0x0e, BR_TABLE);
  store<u8>(TABLE + 0x10, FUNCTION_INDEX); // call
  store<u8>(TABLE + 0x12, FUNCTION_INDEX); // return_call
  store<u8>(TABLE + 0xd2, FUNCTION_INDEX); // ref.func
  store<u8>(TABLE + 0x11, LEB2); // call_indirect
  store<u8>(TABLE + 0x13, LEB2); // return_call_indirect
  store<u8>(TABLE + 0x1c, SELECT_T);
  store<u8>(TABLE + 0x43, SKIP4); // f32.const
  store<u8>(TABLE + 0x44, SKIP8); // f64.const
  store<u8>(TABLE + 0xd0, REF_NULL);
  store<u8>(TABLE + 0xfc, PREFIX_FC);
  store<u8>(TABLE + 0xfd, PREFIX_FD);
}

function fail(kind: i32, detail: i32, at: usize): i32 {
  errorKind = kind;
  errorDetail = detail;
  errorAt = <i32>(at - inBase);
  return -1;
}

function isValueType(t: u32): bool {
  return (t >= 0x7b && t <= 0x7f) || t == 0x70 || t == 0x6f;
}

/** Skips an LEB128 number; 0 when it runs past `end` or over 11 bytes. */
function skipLeb(p: usize, end: usize): usize {
  const from = p;
  while (true) {
    if (p >= end || p - from > 10) return 0;
    if ((load<u8>(p++) & 0x80) == 0) return p;
  }
}

/** Reads an unsigned LEB128 u32, leaving the position after it in `lebEnd` (0 when malformed). */
function readU32(p: usize, end: usize): u32 {
  let result: u32 = 0;
  let shift: u32 = 0;
  while (true) {
    if (p >= end || shift > 28) {
      lebEnd = 0;
      return 0;
    }
    const byte = <u32>load<u8>(p++);
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      lebEnd = p;
      return result;
    }
    shift += 7;
  }
}

/** Reads a signed LEB128 block type (s33), leaving the position after it in `lebEnd`. */
function readS33(p: usize, end: usize): i64 {
  let result: i64 = 0;
  let shift: i64 = 0;
  let byte: i64 = 0;
  let i = 0;
  do {
    if (p >= end || i++ > 5) {
      lebEnd = 0;
      return 0;
    }
    byte = <i64>load<u8>(p++);
    result |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  if (byte & 0x40) result |= -1 << shift;
  lebEnd = p;
  return result;
}

function skipMemarg(p: usize, end: usize): usize {
  const align = readU32(p, end);
  if (lebEnd == 0) return 0;
  p = lebEnd;
  if (align & 0x40) {
    p = skipLeb(p, end); // multi-memory index
    if (p == 0) return 0;
  }
  return skipLeb(p, end);
}

function writeU32(value: u32): void {
  do {
    let byte = value & 0x7f;
    value >>= 7;
    if (value != 0) byte |= 0x80;
    store<u8>(outPos++, byte);
  } while (value != 0);
}

function patchWeight(at: usize, value: u32): void {
  store<u8>(at, (value & 0x7f) | 0x80);
  store<u8>(at + 1, ((value >> 7) & 0x7f) | 0x80);
  store<u8>(at + 2, ((value >> 14) & 0x7f) | 0x80);
  store<u8>(at + 3, ((value >> 21) & 0x7f) | 0x80);
  store<u8>(at + 4, (value >> 28) & 0x07);
}

// The check: fuel -= weight; if (fuel < 0) fuel = out_of_fuel(); (the weight patched at the end)
function emitCheck(): usize {
  checks++;
  store<u8>(outPos++, 0x23);
  writeU32(fuelGlobal);
  store<u8>(outPos++, 0x41);
  const at = outPos;
  outPos += 5;
  patchWeight(at, 1);
  store<u8>(outPos++, 0x6b);
  store<u8>(outPos++, 0x24);
  writeU32(fuelGlobal);
  store<u8>(outPos++, 0x23);
  writeU32(fuelGlobal);
  store<u8>(outPos++, 0x41);
  store<u8>(outPos++, 0x00);
  store<u8>(outPos++, 0x48);
  store<u8>(outPos++, 0x04);
  store<u8>(outPos++, 0x40);
  store<u8>(outPos++, 0x10);
  writeU32(meterFunction);
  store<u8>(outPos++, 0x24);
  writeU32(fuelGlobal);
  store<u8>(outPos++, 0x0b);
  return at;
}

// Room for one check or one renumbered instruction, with margin.
const ROOM: usize = 64;

function copy(from: usize, to: usize): bool {
  const n = to - from;
  if (outPos + n + ROOM > outEnd) return false;
  memory.copy(outPos, from, n);
  outPos += n;
  return true;
}

/** Checks a block type; the position after it, or 0 with the error set. */
function checkBlockType(p: usize, end: usize): usize {
  const type = readS33(p, end);
  if (lebEnd == 0) {
    fail(ERROR_MALFORMED, MALFORMED_LEB, p);
    return 0;
  }
  if (type < 0 && type != -64 && !isValueType(<u32>(type + 128))) {
    fail(ERROR_BLOCK_TYPE, <i32>type, lebEnd);
    return 0;
  }
  return lebEnd;
}

/**
 * Rewrites one function body's instructions (after its locals) from `p` to `end`, inserting a
 * check at its start and after every `loop`, each weighing the instructions of the code it
 * starts outside nested loops. Returns the position after the closing `end`, or -1.
 */
function rewriteBody(p: usize, end: usize): isize {
  if (outPos + ROOM > outEnd) return fail(ERROR_NO_SPACE, 0, p);
  store<i32>(blocks, <i32>emitCheck());
  let depth: usize = 1;
  let open: usize = 0; // loops open (their enclosing counts sit on `loops`)
  let count: i32 = 0;
  let copyFrom = p;
  while (true) {
    if (p >= end) return fail(ERROR_MALFORMED, MALFORMED_NO_END, p);
    const start = p;
    const op = <u32>load<u8>(p++);
    count++;
    const kind = load<u8>(TABLE + op);
    if (kind == NONE) continue;
    if (kind == LEB) {
      p = skipLeb(p, end);
      if (p == 0) return fail(ERROR_MALFORMED, MALFORMED_LEB, start);
      continue;
    }
    switch (kind) {
      case MEMARG: {
        p = skipMemarg(p, end);
        if (p == 0) return fail(ERROR_MALFORMED, MALFORMED_LEB, start);
        break;
      }
      case LEB2: {
        count += INDIRECT_CALL_WEIGHT; // call_indirect, return_call_indirect: maybe to an import
        p = skipLeb(p, end);
        if (p != 0) p = skipLeb(p, end);
        if (p == 0) return fail(ERROR_MALFORMED, MALFORMED_LEB, start);
        break;
      }
      case BR_TABLE: {
        const n = readU32(p, end);
        if (lebEnd == 0) return fail(ERROR_MALFORMED, MALFORMED_LEB, start);
        p = lebEnd;
        for (let i: u32 = 0; i <= n; i++) {
          p = skipLeb(p, end);
          if (p == 0) return fail(ERROR_MALFORMED, MALFORMED_LEB, start);
        }
        break;
      }
      case SELECT_T:
      case REF_NULL: {
        let n: u32 = 1;
        if (kind == SELECT_T) {
          n = readU32(p, end);
          if (lebEnd == 0) return fail(ERROR_MALFORMED, MALFORMED_LEB, start);
          p = lebEnd;
        }
        for (let i: u32 = 0; i < n; i++) {
          if (p >= end) return fail(ERROR_MALFORMED, MALFORMED_TRUNCATED, p);
          const t = <u32>load<u8>(p++);
          if (!isValueType(t)) return fail(ERROR_VALUE_TYPE, t, p);
        }
        break;
      }
      case PREFIX_FC: {
        const sub = readU32(p, end);
        if (lebEnd == 0) return fail(ERROR_MALFORMED, MALFORMED_LEB, start);
        p = lebEnd;
        if (sub <= 7) break; // saturating truncations
        if (sub == 8 || sub == 10 || sub == 11 || sub == 12 || sub == 14 || sub == 15 || sub == 17) {
          // memory.init/copy/fill, table.init/copy/grow/fill run as long as their length (the
          // operand on top of the stack): `call $charge` before them takes fuel for it.
          if (!copy(copyFrom, start)) return fail(ERROR_NO_SPACE, 0, p);
          store<u8>(outPos++, 0x10);
          writeU32(chargeFunction);
          copyFrom = start;
        }
        if (sub == 8 || sub == 10 || sub == 12 || sub == 14) {
          // memory.init, memory.copy, table.init, table.copy: two indices
          p = skipLeb(p, end);
          if (p != 0) p = skipLeb(p, end);
        } else if (sub == 9 || sub == 11 || sub == 13 || (sub >= 15 && sub <= 17)) {
          // data.drop, memory.fill, elem.drop, table.grow/size/fill: one index
          p = skipLeb(p, end);
        } else {
          errorSub = <i32>sub;
          return fail(ERROR_OPCODE, op, p);
        }
        if (p == 0) return fail(ERROR_MALFORMED, MALFORMED_LEB, start);
        break;
      }
      case PREFIX_FD: {
        const sub = readU32(p, end);
        if (lebEnd == 0) return fail(ERROR_MALFORMED, MALFORMED_LEB, start);
        p = lebEnd;
        if (sub <= 11 || sub == 92 || sub == 93) {
          p = skipMemarg(p, end); // loads, store, load*_zero
          if (p == 0) return fail(ERROR_MALFORMED, MALFORMED_LEB, start);
        } else if (sub == 12 || sub == 13) {
          // v128.const, i8x16.shuffle
          if (p + 16 > end) return fail(ERROR_MALFORMED, MALFORMED_TRUNCATED, p);
          p += 16;
        } else if (sub >= 21 && sub <= 34) {
          if (p + 1 > end) return fail(ERROR_MALFORMED, MALFORMED_TRUNCATED, p);
          p += 1; // lane index
        } else if (sub >= 84 && sub <= 91) {
          p = skipMemarg(p, end);
          if (p == 0) return fail(ERROR_MALFORMED, MALFORMED_LEB, start);
          if (p + 1 > end) return fail(ERROR_MALFORMED, MALFORMED_TRUNCATED, p);
          p += 1;
        } else if (sub > 275) {
          errorSub = <i32>sub;
          return fail(ERROR_OPCODE, op, p);
        }
        // Everything else up to the relaxed SIMD range has no immediates; an opcode the engine
        // does not know fails validation when the rewritten module is compiled.
        break;
      }
      case BLOCK: {
        p = checkBlockType(p, end);
        if (p == 0) return -1;
        store<i32>(blocks + (depth << 2), -1);
        depth++;
        break;
      }
      case LOOP: {
        p = checkBlockType(p, end);
        if (p == 0) return -1;
        if (!copy(copyFrom, p)) return fail(ERROR_NO_SPACE, 0, p);
        copyFrom = p;
        store<i32>(blocks + (depth << 2), <i32>emitCheck());
        depth++;
        store<i32>(loops + (open << 2), count);
        open++;
        count = 0;
        break;
      }
      case END: {
        depth--;
        const weightAt = load<i32>(blocks + (depth << 2));
        if (weightAt >= 0) patchWeight(<usize>weightAt, <u32>max(1, min(MAX_WEIGHT, count)));
        if (depth == 0) {
          if (!copy(copyFrom, p)) return fail(ERROR_NO_SPACE, 0, p);
          return p;
        }
        if (weightAt >= 0) {
          // a loop's end: back to the enclosing loop's (or the body's) count
          open--;
          count = load<i32>(loops + (open << 2));
        }
        break;
      }
      case FUNCTION_INDEX: {
        const index = readU32(p, end);
        if (lebEnd == 0) return fail(ERROR_MALFORMED, MALFORMED_LEB, start);
        p = lebEnd;
        let to: u32;
        if (index < importedFunctions) {
          if (op != 0xd2) count += IMPORT_CALL_WEIGHT; // a call into the host
          // A priced import is reached through the function that prices it.
          to = load<u32>(remap + (<usize>index << 2));
          if (to == index) break;
        } else {
          if (index > 0xffffffff - indexShift) return fail(ERROR_MALFORMED, MALFORMED_FUNCTION_INDEX, start);
          to = index + indexShift;
        }
        if (!copy(copyFrom, start)) return fail(ERROR_NO_SPACE, 0, p);
        store<u8>(outPos++, <u8>op);
        writeU32(to);
        copyFrom = p;
        break;
      }
      case SKIP4: {
        if (p + 4 > end) return fail(ERROR_MALFORMED, MALFORMED_TRUNCATED, p);
        p += 4;
        break;
      }
      case SKIP8: {
        if (p + 8 > end) return fail(ERROR_MALFORMED, MALFORMED_TRUNCATED, p);
        p += 8;
        break;
      }
      default:
        return fail(ERROR_OPCODE, op, p);
    }
  }
}

/**
 * Lays out memory for a code section of `inputLength` bytes, an output of `outputCapacity`
 * bytes and the new index of each of `importCount` imported functions (see {@link remapStart});
 * returns where to copy the input, or 0 when memory cannot grow that far.
 */
export function prepare(inputLength: u32, outputCapacity: u32, importCount: u32): usize {
  setKinds();
  remap = (__heap_base + 15) & ~15;
  inBase = (remap + (<usize>importCount << 2) + 15) & ~15;
  inEnd = inBase + inputLength;
  outBase = (inEnd + 15) & ~15;
  outEnd = outBase + outputCapacity;
  // Every block opcode takes two bytes or more: no body nests deeper than half its size.
  const stackBytes: usize = ((<usize>inputLength >> 1) + 2) << 2;
  blocks = (outEnd + 15) & ~15;
  loops = blocks + stackBytes;
  const top = loops + stackBytes;
  const pages = <i32>((top + 0xffff) >> 16);
  const have = memory.size();
  if (pages > have && memory.grow(pages - have) < 0) return 0;
  return inBase;
}

/** Where the new index of each imported function goes (u32 each; its own index when unchanged). */
export function remapStart(): usize {
  return remap;
}

// Where the rewrite of the code section is, between calls of `continueCode`.
let codeNext: usize = 0;
let codeIndex: u32 = 0;
let codeCount: u32 = 0;

/**
 * Starts the rewrite of the code section copied to `prepare`'s address: every defined function's
 * index grows by `added` (the imports the rewrite adds, the meter import `meter` last), an
 * imported function's index becomes the one written at {@link remapStart}, fuel lives in global
 * `fuel`, and bulk memory/table operations first call `charge` (`(i32) -> i32`: takes fuel for
 * the length and returns it). {@link continueCode} does the work. Returns 1, or -1 with the
 * `error*` globals set.
 */
export function beginCode(imported: u32, added: u32, fuel: u32, meter: u32, charge: u32): i32 {
  importedFunctions = imported;
  indexShift = added;
  fuelGlobal = fuel;
  meterFunction = meter;
  chargeFunction = charge;
  checks = 0;
  outPos = outBase;
  errorKind = 0;
  errorSub = -1;
  errorFunction = -1;
  errorInLocals = 0;
  const n = readU32(inBase, inEnd);
  if (lebEnd == 0) return fail(ERROR_MALFORMED, MALFORMED_LEB, inBase);
  codeNext = lebEnd;
  codeIndex = 0;
  codeCount = n;
  writeU32(n);
  return 1;
}

/**
 * Rewrites the next function bodies of the code section, at least one and until `sliceBytes`
 * of input are done (the caller may give the thread back between calls). Returns 1 while
 * bodies remain, 0 when the section is done, or -1 with the `error*` globals set.
 */
export function continueCode(sliceBytes: u32): i32 {
  let p = codeNext;
  const stop = p + <usize>sliceBytes;
  for (; codeIndex < codeCount; codeIndex++) {
    if (p >= stop) {
      codeNext = p;
      return 1;
    }
    errorFunction = <i32>codeIndex;
    const size = readU32(p, inEnd);
    if (lebEnd == 0) return fail(ERROR_MALFORMED, MALFORMED_LEB, p);
    p = lebEnd;
    const end = p + size;
    if (end > inEnd) return fail(ERROR_MALFORMED, MALFORMED_BODY_TRUNCATED, p);
    const localsFrom = p;
    const groups = readU32(p, end);
    if (lebEnd == 0) return fail(ERROR_MALFORMED, MALFORMED_LEB, p);
    p = lebEnd;
    for (let g: u32 = 0; g < groups; g++) {
      p = skipLeb(p, end);
      if (p == 0) return fail(ERROR_MALFORMED, MALFORMED_LEB, localsFrom);
      if (p >= end) return fail(ERROR_MALFORMED, MALFORMED_TRUNCATED, p);
      const t = <u32>load<u8>(p++);
      if (!isValueType(t)) {
        errorInLocals = 1;
        return fail(ERROR_VALUE_TYPE, t, p);
      }
    }
    // The body goes 5 bytes further than its size needs, then moves down behind its size.
    const sizeAt = outPos;
    outPos += 5;
    const bodyFrom = outPos;
    if (!copy(localsFrom, p)) return fail(ERROR_NO_SPACE, 0, p);
    const after = rewriteBody(p, end);
    if (after < 0) return -1;
    if (<usize>after != end) return fail(ERROR_MALFORMED, MALFORMED_BYTES_AFTER_END, after);
    const bodyLength = outPos - bodyFrom;
    outPos = sizeAt;
    writeU32(<u32>bodyLength);
    memory.copy(outPos, bodyFrom, bodyLength);
    outPos += bodyLength;
    p = end;
  }
  codeNext = p;
  errorFunction = -1;
  return 0;
}

/** Where the rewritten code section starts. */
export function outputStart(): usize {
  return outBase;
}

/** Its length. */
export function outputLength(): usize {
  return outPos - outBase;
}

/** Fuel checks inserted by the last rewrite ({@link beginCode}, {@link continueCode}). */
export function checksInserted(): u32 {
  return checks;
}

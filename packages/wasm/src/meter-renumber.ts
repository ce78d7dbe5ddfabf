import { ByteWriter } from './byte-writer.js';
import { type Reader, readUnsigned } from './leb128.js';
import { malformed, need, skipLeb, valueType } from './meter-checks.js';
import { hex, MeterError } from './meter-error.js';
import { renumberExports } from './module.js';

// The metering rewrite outside the code section: every reference to a function (a global's
// initializer, an element segment, an export) takes its new index.

/** A function's index after the rewrite, from its index before. */
export type Renumber = (index: number) => number;

/**
 * Copies a constant expression (a global's initializer, an element segment's offset or item) from
 * `r` to `out`, renumbering `ref.func`. Only constant instructions (extended-const included) are
 * known; the engine validates the rest of what they may combine.
 */
export function rewriteConstExpression(r: Reader, out: ByteWriter, renumber: Renumber, where: () => string): void {
  const b = r.bytes;
  let copyFrom = r.pos;
  for (;;) {
    need(r, 1);
    const start = r.pos;
    const op = b[r.pos++]!;
    switch (op) {
      case 0x0b: // end
        out.range(b, copyFrom, r.pos);
        return;
      case 0x23: // global.get
      case 0x41: // i32.const
      case 0x42: // i64.const
        skipLeb(r);
        break;
      case 0x43: // f32.const
        need(r, 4);
        r.pos += 4;
        break;
      case 0x44: // f64.const
        need(r, 8);
        r.pos += 8;
        break;
      case 0xd0: // ref.null t
        valueType(r, where());
        break;
      case 0x6a: // i32.add, i32.sub, i32.mul, i64.add, i64.sub, i64.mul (extended-const)
      case 0x6b:
      case 0x6c:
      case 0x7c:
      case 0x7d:
      case 0x7e:
        break;
      case 0xd2: {
        // ref.func
        const index = readUnsigned(r);
        const shifted = renumber(index);
        if (shifted !== index) {
          out.range(b, copyFrom, start);
          out.byte(op);
          out.unsigned(shifted);
          copyFrom = r.pos;
        }
        break;
      }
      case 0xfd: {
        const sub = readUnsigned(r);
        if (sub !== 12) throw notConstant(`0xfd ${sub}`, where);
        need(r, 16); // v128.const
        r.pos += 16;
        break;
      }
      default:
        throw notConstant(hex(op), where);
    }
  }
}

function notConstant(op: string, where: () => string): MeterError {
  return new MeterError('unsupported_opcode', `unsupported opcode ${op} in ${where()} (not a constant instruction); the plugin cannot be metered`);
}

/** Entries a section rewrite handles between two points where its caller may pause. */
const ENTRIES_PER_STEP = 4096;

/**
 * A global section with its initializers renumbered and one more global (`added`, encoded) at
 * its end. A generator: it yields every few thousand globals, where its caller may pause.
 */
export function* rewriteGlobals(body: Uint8Array, renumber: Renumber, added: Uint8Array): Generator<void, Uint8Array> {
  const r: Reader = { bytes: body, pos: 0 };
  const n = readUnsigned(r);
  const out = new ByteWriter(body.length + 16);
  out.unsigned(n + 1);
  for (let i = 0; i < n; i++) {
    const from = r.pos;
    valueType(r, 'a global');
    r.pos++;
    out.range(body, from, r.pos);
    rewriteConstExpression(r, out, renumber, () => `the initializer of global ${i}`);
    if (i % ENTRIES_PER_STEP === ENTRIES_PER_STEP - 1) yield;
  }
  out.bytes(added);
  return out.view().slice();
}

/** An export section with its function exports renumbered (names copied as bytes). */
export function rewriteExports(body: Uint8Array, renumber: Renumber): Uint8Array {
  return renumberExports(body, (kind, index) => (kind === 0 ? renumber(index) : index));
}

/**
 * An element section with every function index and `ref.func` renumbered. A generator: it
 * yields every few thousand segments or items, where its caller may pause.
 */
export function* rewriteElements(body: Uint8Array, renumber: Renumber): Generator<void, Uint8Array> {
  const r: Reader = { bytes: body, pos: 0 };
  const n = readUnsigned(r);
  const out = new ByteWriter(body.length + 64);
  out.unsigned(n);
  let sinceStep = 0;
  for (let i = 0; i < n; i++) {
    const where = () => `element segment ${i}`;
    const flags = readUnsigned(r);
    if (flags > 7) malformed(`element segment flags ${flags}`);
    out.unsigned(flags);
    const copy = (f: () => void) => {
      const from = r.pos;
      f();
      out.range(r.bytes, from, r.pos);
    };
    if (flags & 2 && !(flags & 1)) copy(() => skipLeb(r)); // table index
    if (!(flags & 1)) rewriteConstExpression(r, out, renumber, where); // offset
    if (flags & 4) {
      if (flags & 3) copy(() => valueType(r, where()));
      const m = readUnsigned(r);
      out.unsigned(m);
      for (let j = 0; j < m; j++) rewriteConstExpression(r, out, renumber, where);
      sinceStep += m;
    } else {
      if (flags & 3) copy(() => r.pos++); // elemkind
      const m = readUnsigned(r);
      out.unsigned(m);
      for (let j = 0; j < m; j++) out.unsigned(renumber(readUnsigned(r)));
      sinceStep += m;
    }
    if (++sinceStep >= ENTRIES_PER_STEP) {
      sinceStep = 0;
      yield;
    }
  }
  return out.view().slice();
}


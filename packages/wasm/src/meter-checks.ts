import { type Reader, readUnsigned } from './leb128.js';
import { hex, MeterError } from './meter-error.js';
import { SECTION, type Section, sectionBody } from './module.js';

// What the metering rewriter refuses outside the code section, and the small readers it shares.

/** Value types the rewriter knows (MVP, SIMD, reference types), by byte. */
const VALUE_TYPES = new Uint8Array(256);
for (const t of [0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f]) VALUE_TYPES[t] = 1;

/** Throws a `malformed` MeterError. */
export function malformed(what: string): never {
  throw new MeterError('malformed', `malformed wasm: ${what}`);
}

/** Refuses a read of `n` bytes past the end. */
export function need(r: Reader, n: number): void {
  if (r.pos + n > r.bytes.length) malformed('truncated');
}

/** Skips a LEB128 number. */
export function skipLeb(r: Reader): void {
  for (let i = 0; ; i++) {
    if (r.pos >= r.bytes.length || i > 10) malformed('bad LEB128 number');
    if ((r.bytes[r.pos++]! & 0x80) === 0) return;
  }
}

/** Refuses a value type the rewriter does not know. */
export function checkValueType(t: number, where: string): void {
  if (VALUE_TYPES[t] === 0) throw new MeterError('unsupported_feature', `unsupported value type ${hex(t)} in ${where}`);
}

/** Reads a value type the rewriter knows. */
export function valueType(r: Reader, where: string): number {
  need(r, 1);
  const t = r.bytes[r.pos++]!;
  checkValueType(t, where);
  return t;
}

/** Refuses malformed and 64-bit limits. */
export function checkLimitsFlags(flags: number, what: string): void {
  if (flags > 7) malformed(`limits flags ${hex(flags)}`);
  // 64-bit memories and tables take i64 lengths, which the bulk-operation charge does not.
  if (flags & 4) throw new MeterError('unsupported_feature', `a 64-bit ${what} (memory64) cannot be metered`);
}

function skipLimits(r: Reader, what: string): void {
  need(r, 1);
  const flags = r.bytes[r.pos++]!;
  checkLimitsFlags(flags, what);
  skipLeb(r);
  if (flags & 1) skipLeb(r);
}

/** Refuses 64-bit memories and tables the module defines (see {@link skipLimits}). */
export function checkLimits(sections: readonly Section[]): void {
  const memories = sectionBody(sections, SECTION.memory);
  if (memories) {
    const r: Reader = { bytes: memories, pos: 0 };
    for (let i = readUnsigned(r); i > 0; i--) skipLimits(r, 'memory');
  }
  const tables = sectionBody(sections, SECTION.table);
  if (tables) {
    const r: Reader = { bytes: tables, pos: 0 };
    for (let i = readUnsigned(r); i > 0; i--) {
      valueType(r, 'a table');
      skipLimits(r, 'table');
    }
  }
}

// WASI's poll_oneoff sleeps on the host's thread for as long as the guest asks: time no fuel
// check can interrupt. A module that imports it runs in a worker (mode 'auto') instead.
export const BLOCKING_IMPORTS = new Set(['wasi_snapshot_preview1 poll_oneoff', 'wasi_unstable poll_oneoff']);

/**
 * Refuses a type that is not a function type (the GC proposal's recursive groups and subtypes)
 * or that has a value type the rewriter does not know; returns where each type starts.
 */
export function checkTypes(body: Uint8Array | undefined): Uint32Array {
  if (!body) return new Uint32Array(0);
  const r: Reader = { bytes: body, pos: 0 };
  const n = readUnsigned(r);
  if (n > body.length) malformed('truncated');
  const offsets = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    need(r, 1);
    offsets[i] = r.pos;
    const form = body[r.pos++]!;
    if (form !== 0x60) throw new MeterError('unsupported_feature', `unsupported type form ${hex(form)} (type ${i})`);
    for (let k = 0; k < 2; k++) {
      const m = readUnsigned(r);
      need(r, m);
      for (let j = 0; j < m; j++) {
        const t = body[r.pos++]!;
        if (VALUE_TYPES[t] === 0) checkValueType(t, `type ${i}`);
      }
    }
  }
  return offsets;
}

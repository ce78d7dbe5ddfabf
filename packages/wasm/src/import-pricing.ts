import { ByteWriter } from './byte-writer.js';
import { hex, MeterError } from './meter-error.js';
import type { FunctionType } from './module.js';

/**
 * What a call to one import costs beyond the weight of any call into the host (256 units), for
 * an import whose work grows with a length. The metering rewrite sends every reference to such
 * an import (calls, `ref.func`, element segments, exports) through a function it adds, which
 * takes the fuel and then calls the import: one unit per 16 bytes, as bulk memory operations.
 */
export interface ImportPrice {
  /** Parameters (by position) holding a byte length, i32 or i64: charged before the call. */
  lengths?: readonly number[];
  /**
   * Parameters holding an Extism block address (i64): charged by the block's length, read with
   * the kernel's `length` (imported by the rewrite when the module does not), before the call.
   */
  blocks?: readonly number[];
  /**
   * The i64 result is a block the call stored: charged after the call by its index, as rc13's
   * `alloc` sums every block of the call so far (`'block_index'`), and by its length too
   * (`'block'`: the bytes the host copied into it).
   */
  result?: 'block' | 'block_index';
}

/** Prices by import module, then import name. */
export type ImportPrices = Readonly<Record<string, Readonly<Record<string, ImportPrice>>>>;

/**
 * The Extism kernel (`extism:host/env` of @extism/extism 2.0.0-rc13, `call-context.ts`) as it
 * really costs: `alloc` creates a zeroed buffer of its length and sums the sizes of every block
 * of the call; `var_set` copies its value block (and decodes its key); `var_get` and
 * `config_get` decode their key and store a copy of the value in a new block; the `log_*`
 * functions decode their block. The others (loads, stores, `length`, `free`, `input_*`,
 * `output_set`, `error_set/get`, the disabled `http_*`) do a fixed amount of work.
 * WASI functions are priced by the loader's own WASI layer in metered mode, not here; an entry
 * such as `wasi_snapshot_preview1: { random_get: { lengths: [1] } }` would price one here.
 */
export const EXTISM_KERNEL_PRICES: ImportPrices = {
  'extism:host/env': {
    alloc: { lengths: [0], result: 'block_index' },
    var_set: { blocks: [0, 1] },
    var_get: { blocks: [0], result: 'block' },
    config_get: { blocks: [0], result: 'block' },
    log_trace: { blocks: [0] },
    log_debug: { blocks: [0] },
    log_info: { blocks: [0] },
    log_warn: { blocks: [0] },
    log_error: { blocks: [0] },
  },
};

/** The kernel's `length` (`(i64) -> i64`), which block prices read; `length_unsafe` does the same. */
export const KERNEL_LENGTH = { module: 'extism:host/env', name: 'length', alternatives: ['length', 'length_unsafe'] } as const;

const I32 = 0x7f;
const I64 = 0x7e;

/** The price of an import, if it has one (own properties only: a module may be named `__proto__`). */
export function priceOf(prices: ImportPrices, module: string, name: string): ImportPrice | undefined {
  if (!Object.hasOwn(prices, module)) return undefined;
  const byName = prices[module]!;
  return Object.hasOwn(byName, name) ? byName[name] : undefined;
}

/** Whether the price reads a block's length (and so needs the kernel's `length`). */
export function readsBlockLength(price: ImportPrice): boolean {
  return (price.blocks?.length ?? 0) > 0 || price.result === 'block';
}

/** Whether a function type is `(i64) -> i64` (the kernel's `length`). */
export function isI64ToI64(type: FunctionType | undefined): boolean {
  return type !== undefined && type.params.length === 1 && type.params[0] === I64 && type.results.length === 1 && type.results[0] === I64;
}

function describeType(type: FunctionType): string {
  return `(${type.params.map(hex).join(' ')}) -> (${type.results.map(hex).join(' ')})`;
}

/**
 * Refuses an import whose type does not fit its price (a length that is not an integer, a block
 * or a result that is not i64): the rewrite could not price it.
 * @throws MeterError (`unsupported_feature`)
 */
export function checkPricedType(module: string, name: string, type: FunctionType | undefined, price: ImportPrice): void {
  const fits =
    type !== undefined &&
    (price.lengths ?? []).every((p) => type.params[p] === I32 || type.params[p] === I64) &&
    (price.blocks ?? []).every((p) => type.params[p] === I64) &&
    (price.result === undefined || (type.results.length === 1 && type.results[0] === I64));
  if (!fits) {
    const what = type === undefined ? 'a type it does not have' : `the type ${describeType(type)}`;
    throw new MeterError('unsupported_feature', `the import ${module} ${name} has ${what}, which the meter cannot price by its length`);
  }
}

/** The functions a priced call uses. */
export interface PricingFunctions {
  fuelGlobal: number;
  meterFunction: number;
  /** `(i32) -> i32`: takes one unit per 16 bytes of its argument, returns it. */
  charge: number;
  /** `(i64) -> i64`: the same for an i64 length. */
  charge64: number;
  /** The kernel's `length`, when a price reads block lengths. */
  length: number | null;
}

/** A code section entry: the body's size, then the body. */
function entry(body: ByteWriter): Uint8Array {
  const out = new ByteWriter(body.length + 5);
  out.unsigned(body.length);
  out.bytes(body.view());
  return out.view();
}

/** `if (fuel < 0) fuel = out_of_fuel();` */
function refuelIfNegative(out: ByteWriter, fns: PricingFunctions): void {
  out.byte(0x23);
  out.unsigned(fns.fuelGlobal);
  out.bytes([0x41, 0x00, 0x48, 0x04, 0x40, 0x10]);
  out.unsigned(fns.meterFunction);
  out.byte(0x24);
  out.unsigned(fns.fuelGlobal);
  out.byte(0x0b);
}

/** Bytes a bulk operation or a priced import may move per unit of fuel (2^4). */
export const BYTES_PER_FUEL_SHIFT = 4;
// The most one i64 charge takes (2^28 units, a few hundred ms of work): the fuel, at most a
// refill (2^20), cannot wrap below -2^31, and a charge this large asks the host at once anyway.
const MAX_CHARGE_UNITS = 2 ** 28;
// rc13's alloc sums the sizes of every block of the call: 2 units a block (the index shifted
// left by 5 is charged as bytes, 16 a unit).
const BLOCK_INDEX_SHIFT = 5;

/**
 * `(func $charge (param $n i32) (result i32)`: fuel -= n >>> 4; refuel if negative; return n),
 * as a code section entry. Called before memory.init/copy/fill and table.init/copy/grow/fill,
 * which run as long as their length, and before a priced import's i32 length.
 */
export function chargeEntry(fns: PricingFunctions): Uint8Array {
  const body = new ByteWriter(32);
  body.bytes([0x00, 0x23]);
  body.unsigned(fns.fuelGlobal);
  body.bytes([0x20, 0x00, 0x41, BYTES_PER_FUEL_SHIFT, 0x76, 0x6b, 0x24]);
  body.unsigned(fns.fuelGlobal);
  refuelIfNegative(body, fns);
  body.bytes([0x20, 0x00, 0x0b]);
  return entry(body);
}

function i64Const(out: ByteWriter, value: number): void {
  // Signed LEB128 of a non-negative value below 2^53.
  out.byte(0x42);
  for (;;) {
    const byte = value % 128;
    value = Math.floor(value / 128);
    if (value === 0 && byte < 0x40) {
      out.byte(byte);
      return;
    }
    out.byte(byte | 0x80);
  }
}

/**
 * `(func $charge64 (param $n i64) (result i64))`: fuel -= min(n >>> 4, 2^28); refuel if negative;
 * return n. As a code section entry.
 */
export function charge64Entry(fns: PricingFunctions): Uint8Array {
  const body = new ByteWriter(48);
  body.bytes([0x00, 0x23]);
  body.unsigned(fns.fuelGlobal);
  i64Const(body, MAX_CHARGE_UNITS);
  body.bytes([0x20, 0x00]);
  i64Const(body, BYTES_PER_FUEL_SHIFT);
  body.byte(0x88); // i64.shr_u
  body.bytes([0x20, 0x00]);
  i64Const(body, MAX_CHARGE_UNITS * 2 ** BYTES_PER_FUEL_SHIFT);
  body.bytes([0x56, 0x1b, 0xa7, 0x6b, 0x24]); // i64.gt_u, select, i32.wrap_i64, i32.sub, global.set
  body.unsigned(fns.fuelGlobal);
  refuelIfNegative(body, fns);
  body.bytes([0x20, 0x00, 0x0b]);
  return entry(body);
}

function call(out: ByteWriter, index: number): void {
  out.byte(0x10);
  out.unsigned(index);
}

/**
 * The function every reference to a priced import goes through (the import's own type): it
 * charges the lengths and blocks of the price, calls the import with its arguments, then charges
 * the block it returned. As a code section entry.
 */
export function pricedCallEntry(importIndex: number, type: FunctionType, price: ImportPrice, fns: PricingFunctions): Uint8Array {
  const body = new ByteWriter(64);
  const result = type.params.length; // the local that keeps the result
  if (price.result === undefined) body.byte(0x00);
  else body.bytes([0x01, 0x01, I64]);
  for (const p of price.lengths ?? []) {
    body.byte(0x20);
    body.unsigned(p);
    call(body, type.params[p] === I32 ? fns.charge : fns.charge64);
    body.byte(0x1a); // drop
  }
  for (const p of price.blocks ?? []) {
    body.byte(0x20);
    body.unsigned(p);
    call(body, fns.length!);
    call(body, fns.charge64);
    body.byte(0x1a);
  }
  for (let p = 0; p < type.params.length; p++) {
    body.byte(0x20);
    body.unsigned(p);
  }
  call(body, importIndex);
  if (price.result !== undefined) {
    body.byte(0x22); // local.tee
    body.unsigned(result);
    if (price.result === 'block') {
      call(body, fns.length!);
      call(body, fns.charge64);
      body.bytes([0x1a, 0x20]);
      body.unsigned(result);
    }
    i64Const(body, 48);
    body.byte(0x88); // the block index: address >>> 48
    i64Const(body, BLOCK_INDEX_SHIFT);
    body.byte(0x86); // i64.shl
    call(body, fns.charge64);
    body.bytes([0x1a, 0x20]);
    body.unsigned(result);
  }
  body.byte(0x0b);
  return entry(body);
}

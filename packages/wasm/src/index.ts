export { ByteWriter } from './byte-writer.js';
export { WasmFormatError, type WasmFormatErrorKind } from './format-error.js';
export * from './leb128.js';
export { METER_IMPORT, MeterError, type MeterErrorKind, type MeteredModule, meterModule } from './meter.js';
export * from './module.js';

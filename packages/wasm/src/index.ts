export { ByteWriter } from './byte-writer.js';
export { WasmFormatError, type WasmFormatErrorKind } from './format-error.js';
export { EXTISM_KERNEL_PRICES, type ImportPrice, type ImportPrices } from './import-pricing.js';
export * from './leb128.js';
export {
  METER_IMPORT,
  MeterError,
  type MeterErrorKind,
  type MeteredModule,
  type MeterOptions,
  meterModule,
  meterModuleInSlices,
  type SlicedMeterOptions,
} from './meter.js';
export * from './module.js';

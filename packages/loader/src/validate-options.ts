import { LoaderOptionError } from './errors.js';
import type { LoadPluginOptions, PluginMode } from './options.js';
import { RECORD_LIMITS } from './recording/record-options.js';

const PLUGIN_MODES: readonly PluginMode[] = ['worker', 'metered', 'in-process', 'auto'];

/** The largest delay timers honour (2^31 − 1 ms, about 24.8 days); a larger one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;
/** The most 64 KiB pages a 32-bit WebAssembly memory can have (4 GiB). */
const MAX_WASM_PAGES = 65_536;
/** The engines' limits (the JS API's implementation limits): table elements, and module bytes. */
const MAX_WASM_TABLE_ELEMENTS = 10_000_000;
const MAX_WASM_MODULE_BYTES = 1024 * 1024 * 1024;

function describe(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

function refuse(option: string, rule: string, value: unknown): never {
  throw new LoaderOptionError(option, `Invalid loader option ${option}: ${rule}; got ${describe(value)}`);
}

function wholeNumber(option: string, value: unknown, min: number, max: number, rule: string, infinityAllowed: boolean): void {
  if (value === undefined) return;
  const ok =
    typeof value === 'number' &&
    ((infinityAllowed && value === Number.POSITIVE_INFINITY) || (Number.isInteger(value) && value >= min && value <= max));
  if (!ok) refuse(option, rule, value);
}

const DEADLINE_RULE =
  `a whole number of milliseconds from 1 to ${MAX_TIMER_MS} (the longest timer JavaScript runs), ` +
  'or Infinity for no deadline';
const LOGGER_METHODS = ['error', 'warn', 'info', 'debug', 'trace'] as const;

/** What is wrong with a call's options (`timeoutMs`, `signal`), or null. */
export function callOptionProblem(options: { timeoutMs?: unknown; signal?: unknown }): string | null {
  if (options === null || typeof options !== 'object') return `the call options must be an object; got ${describe(options)}`;
  const { timeoutMs, signal } = options;
  if (timeoutMs !== undefined && !(timeoutMs === Number.POSITIVE_INFINITY || (typeof timeoutMs === 'number' && Number.isInteger(timeoutMs) && timeoutMs >= 1 && timeoutMs <= MAX_TIMER_MS))) {
    return `the call option timeoutMs must be ${DEADLINE_RULE}; got ${describe(timeoutMs)}`;
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) return `the call option signal must be an AbortSignal; got ${describe(signal)}`;
  return null;
}

function validateRecordOption(record: unknown): void {
  if (record === undefined || typeof record === 'boolean') return;
  if (record === null || typeof record !== 'object' || Array.isArray(record)) refuse('record', 'true, false or { calls, maxBytes, redact }', record);
  const { calls, maxBytes, redact } = record as { calls?: unknown; maxBytes?: unknown; redact?: unknown };
  const [minCalls, maxCalls] = RECORD_LIMITS.calls;
  const [minBytes, maxBytesLimit] = RECORD_LIMITS.maxBytes;
  wholeNumber('record.calls', calls, minCalls, maxCalls, `a whole number of calls from ${minCalls} to ${maxCalls}`, false);
  wholeNumber('record.maxBytes', maxBytes, minBytes, maxBytesLimit, `a whole number of bytes from ${minBytes} to ${maxBytesLimit}`, false);
  if (redact !== undefined && !(Array.isArray(redact) && redact.every((r) => (typeof r === 'string' && r !== '') || r instanceof RegExp))) {
    refuse('record.redact', 'an array of non-empty strings and RegExps', redact);
  }
}

/**
 * Checks every loader option given (absent ones take their defaults), so a value the loader
 * cannot honour fails the load with a message naming the option instead of misbehaving later:
 * `timeoutMs: 2 ** 31` would fire every deadline at once, `NaN` would disable a limit.
 * @throws LoaderOptionError naming the option, the rule and the value
 */
export function validateLoaderOptions(options: LoadPluginOptions): void {
  if (options === null || typeof options !== 'object') refuse('options', 'an object of loader options', options);
  const { appVersion, runInWorker, logger, name, configPath, saveConfig } = options;
  if (appVersion !== undefined && (typeof appVersion !== 'string' || appVersion.trim() === '')) {
    refuse('appVersion', 'a version string such as "1.4.1"', appVersion);
  }
  if (runInWorker !== undefined && typeof runInWorker !== 'boolean') refuse('runInWorker', 'true or false', runInWorker);
  if (options.mode !== undefined && !PLUGIN_MODES.includes(options.mode)) refuse('mode', `one of ${PLUGIN_MODES.map((m) => `'${m}'`).join(', ')}`, options.mode);
  if (options.asyncHostServices !== undefined && typeof options.asyncHostServices !== 'boolean') {
    refuse('asyncHostServices', 'true or false', options.asyncHostServices);
  }
  wholeNumber('timeoutMs', options.timeoutMs, 1, MAX_TIMER_MS, DEADLINE_RULE, true);
  wholeNumber('manifestTimeoutMs', options.manifestTimeoutMs, 1, MAX_TIMER_MS, DEADLINE_RULE, true);
  wholeNumber('maxInputBytes', options.maxInputBytes, 1, Number.MAX_SAFE_INTEGER, 'a whole number of bytes, at least 1, or Infinity for no limit', true);
  wholeNumber('sliceMs', options.sliceMs, 1, 1_000, 'a whole number of milliseconds from 1 to 1000, or Infinity never to yield', true);
  wholeNumber('maxMemoryPages', options.maxMemoryPages, 1, MAX_WASM_PAGES, `a whole number of 64 KiB pages from 1 to ${MAX_WASM_PAGES}`, false);
  wholeNumber('maxTableElements', options.maxTableElements, 1, MAX_WASM_TABLE_ELEMENTS, `a whole number of elements from 1 to ${MAX_WASM_TABLE_ELEMENTS}`, false);
  wholeNumber('maxModuleBytes', options.maxModuleBytes, 8, MAX_WASM_MODULE_BYTES, `a whole number of bytes from 8 to ${MAX_WASM_MODULE_BYTES} (1 GiB)`, false);
  if (logger !== undefined) {
    const missing = LOGGER_METHODS.filter((method) => typeof (logger as unknown as Record<string, unknown> | null)?.[method] !== 'function');
    if (missing.length > 0) refuse('logger', `an object with the methods ${LOGGER_METHODS.join(', ')} (missing: ${missing.join(', ')})`, logger);
  }
  if (options.lifecycleFailures !== undefined && options.lifecycleFailures !== 'log' && options.lifecycleFailures !== 'throw') {
    refuse('lifecycleFailures', '"log" or "throw"', options.lifecycleFailures);
  }
  if (options.describeGuestError !== undefined && typeof options.describeGuestError !== 'function') {
    refuse('describeGuestError', 'a function', options.describeGuestError);
  }
  if (options.onLifecycleEvent !== undefined && typeof options.onLifecycleEvent !== 'function') {
    refuse('onLifecycleEvent', 'a function', options.onLifecycleEvent);
  }
  validateRecordOption(options.record);
  const wasi = options.wasiSource as unknown as Record<string, unknown> | undefined;
  if (wasi !== undefined && (wasi === null || typeof wasi !== 'object' || typeof wasi['clockNs'] !== 'function' || typeof wasi['fillRandom'] !== 'function')) {
    refuse('wasiSource', 'an object with the methods clockNs and fillRandom', wasi);
  }
  if (name !== undefined && typeof name !== 'string') refuse('name', 'a string', name);
  if (configPath !== undefined && (typeof configPath !== 'string' || configPath === '')) refuse('configPath', 'a file path', configPath);
  if (saveConfig !== undefined && typeof saveConfig !== 'function') refuse('saveConfig', 'a function', saveConfig);
}

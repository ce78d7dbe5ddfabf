/**
 * Whether this JavaScript runtime can suspend WebAssembly on a Promise (JSPI:
 * `WebAssembly.Suspending` and `WebAssembly.promising`): Node 26 and Chromium 137+ by default,
 * Node 24 behind `--experimental-wasm-jspi`. With it, a metered plugin's host services may be
 * async without a worker.
 */
export function hasJspi(): boolean {
  const wasm = WebAssembly as unknown as { Suspending?: unknown; promising?: unknown };
  return typeof wasm.Suspending === 'function' && typeof wasm.promising === 'function';
}

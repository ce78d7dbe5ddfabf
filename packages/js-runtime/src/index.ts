/**
 * `@diaryx/js-runtime`: Diaryx plugins in TypeScript on QuickJS compiled to wasm. This entry is
 * the build API (Node); plugins import `@diaryx/js-runtime/sdk` and `@diaryx/js-runtime/host`.
 * @packageDocumentation
 */
export { buildPlugin, type BuildPluginOptions, type BuiltPlugin, PluginBuildError } from './build.js';
export { type PluginWatcher, watchPlugin, type WatchBuildReport, type WatchPluginOptions } from './watch.js';
export { HOST_FUNCTIONS_SECTION } from './host-functions-section.js';
export { RUNTIME_WASM_PATH } from './runtime-files.js';
export { typeCheckPlugin, type TypeCheckResult } from './type-check.js';

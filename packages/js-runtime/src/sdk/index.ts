/**
 * The TypeScript SDK for Diaryx plugins on `@diaryx/js-runtime`: typed host-function wrappers
 * (all 31), config and storage helpers, protocol helpers and `definePlugin`, the same as
 * `@diaryx/plugin-sdk-as` offers AssemblyScript plugins. Bundled into the plugin by `diaryx-js build`.
 * @packageDocumentation
 */
export * from './config.js';
export * from './define-plugin.js';
export * from './host.js';
export * from './protocol.js';
export * from './storage.js';

/**
 * The TypeScript SDK for Diaryx plugins on `@diaryx/js-runtime`: typed host-function wrappers
 * and protocol helpers, the same as `@diaryx/plugin-sdk-as` offers AssemblyScript plugins.
 * Bundled into the plugin by `diaryx-js build`.
 * @packageDocumentation
 */
export * from './host.js';
export * from './protocol.js';

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { build as esbuild, type Message } from 'esbuild';
import { PRELUDE_PATH, readRuntime } from './runtime-files.js';
import { snapshotPlugin, SnapshotError } from './snapshot.js';
import { typeCheckPlugin } from './type-check.js';
import { HOST_FUNCTIONS_SECTION, referencedHostFunctions, withCustomSection } from './host-functions-section.js';

/** Exports every Diaryx plugin must have. */
const REQUIRED_EXPORTS = ['manifest', 'handle_command'] as const;

/** A plugin that cannot be built: the message names the file (and line) and the fix. */
export class PluginBuildError extends Error {
  override readonly name = 'PluginBuildError';
  /** The source files of the failed build, when the bundle got that far (see {@link BuiltPlugin.inputs}). */
  readonly inputs: string[] | undefined;

  constructor(message: string, inputs?: string[]) {
    super(message);
    this.inputs = inputs;
  }
}

/** What {@link buildPlugin} needs. */
export interface BuildPluginOptions {
  /** The plugin's entry module (TypeScript or JavaScript, ESM); its exports become the wasm's. */
  entry: string;
  /** Where to write `plugin.wasm`; omitted → only returned. */
  outFile?: string;
  /** Keep the bundle readable (default true: stacks then name real function names). */
  minify?: boolean;
  /**
   * Type-check the entry and what it imports with the TypeScript compiler before the snapshot
   * (default true): a type error fails the build with the compiler's message.
   */
  typeCheck?: boolean;
  /**
   * Read the built plugin's manifest with `@diaryx/loader` and check its `ui` and `cli` elements
   * (default true): an element the loader would drop (a field type that does not exist, a missing
   * label, a wrong-typed value) fails the build naming the element and the field; a slot the target
   * Diaryx does not know is a warning. `false` skips it (fixtures with broken manifests on purpose).
   */
  checkManifest?: boolean;
  /** The Diaryx version the manifest check targets (default `1.4.1`, the version the kit's loader implements). */
  appVersion?: string;
}

/** A built plugin. */
export interface BuiltPlugin {
  wasm: Uint8Array;
  /** The exports of the wasm: the entry's exported functions. */
  exports: string[];
  /** Size of the JavaScript bundle evaluated into the snapshot, in bytes. */
  bundleBytes: number;
  /**
   * The bundle's source map (JSON text, sources relative to the working directory): stack
   * frames `<entry> (bundled):LINE:COL` map back to `src/file.ts:line:col` with it. Written as
   * `<outFile>.map` next to the wasm.
   */
  sourceMap: string;
  /**
   * Uses of APIs that compile but do not work in Diaryx plugins (`Config.get`, `Http`, `fetch`,
   * `setTimeout`, `setInterval`), one line each with the file, the API and the alternative; and
   * what the manifest check warns about (a slot the target Diaryx does not know, the loader's warnings).
   */
  warnings: string[];
  /**
   * The host functions the plugin's code references (the runtime imports all 31), also written
   * into the wasm as the custom section `diaryx.host_functions` for `diaryx-plugin inspect`.
   */
  hostFunctions: string[];
  /**
   * The files the bundle was made of (absolute paths, as esbuild's metafile lists them: the
   * entry, what it imports, npm packages included): what `diaryx-js build --watch` watches.
   */
  inputs: string[];
}

function formatMessages(messages: readonly Message[]): string {
  return messages
    .map((m) => (m.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1}: ${m.text}` : m.text))
    .join('\n');
}

/**
 * Builds a `plugin.wasm` from a TypeScript entry with npm packages only: bundles it with esbuild,
 * evaluates the bundle in the QuickJS runtime at build time and snapshots the result (so the
 * first call pays no engine start-up), and exports exactly the entry's exported functions.
 * Host functions are declared by importing them from `@diaryx/js-runtime/host`.
 * @throws PluginBuildError for a type error (the compiler's message), syntax and type-stripping errors (file:line), an unknown host
 * function, a missing `manifest`/`handle_command` export, top-level code that throws, or a manifest
 * the loader cannot read or whose `ui`/`cli` elements it would drop (naming the element and the field)
 */
export async function buildPlugin(options: BuildPluginOptions): Promise<BuiltPlugin> {
  const entry = resolve(options.entry);
  const shown = relative(process.cwd(), entry) || entry;
  let bundle: string;
  let sourceMap: string;
  let inputs: string[];
  try {
    const result = await esbuild({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'iife',
      globalName: '__diaryx_plugin',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      target: 'es2023',
      minify: options.minify ?? false,
      legalComments: 'none',
      logLevel: 'silent',
      // Not written (write: false): names the bundle so the map's sources are relative to the cwd.
      outfile: resolve('plugin.js'),
      sourcemap: 'external',
      metafile: true,
    });
    // Metafile paths are relative to esbuild's working directory (the process's).
    inputs = Object.keys(result.metafile.inputs).map((input) => resolve(input));
    bundle = result.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
    sourceMap = result.outputFiles.find((f) => f.path.endsWith('.map'))!.text;
  } catch (error) {
    const failure = error as { errors?: Message[] };
    if (failure.errors) throw new PluginBuildError(`${shown}: the bundle failed:\n${formatMessages(failure.errors)}`);
    throw error;
  }
  // After the bundle (its syntax and unknown-import errors name the file and line best),
  // before the snapshot: a type error fails the build with the compiler's message.
  let warnings: string[] = [];
  if (options.typeCheck ?? true) {
    const checked = await typeCheckPlugin(entry);
    if (checked.errors !== '') throw new PluginBuildError(`${shown}: the type check failed:\n${checked.errors.trimEnd()}`, inputs);
    warnings = checked.warnings;
  }
  let snapshot;
  try {
    snapshot = await snapshotPlugin(await readRuntime(), [
      { file: 'prelude.js', source: await readFile(PRELUDE_PATH, 'utf8') },
      // Line numbers in stacks are the bundle's: name it so.
      { file: `${shown} (bundled)`, source: bundle },
      { file: 'end-build.js', source: '__diaryx_end_build();' },
    ]);
  } catch (error) {
    if (error instanceof SnapshotError) {
      throw new PluginBuildError(`${shown}: the plugin's top-level code failed at build time: ${error.message}`, inputs);
    }
    throw error;
  }
  const missing = REQUIRED_EXPORTS.filter((name) => !snapshot.exports.includes(name));
  if (missing.length > 0) {
    throw new PluginBuildError(
      `${shown} does not export ${missing.map((m) => `\`${m}\``).join(' and ')} (every Diaryx plugin must; ` +
        `it exports: ${snapshot.exports.join(', ') || 'no function'})`,
      inputs,
    );
  }
  const hostFunctions = await referencedHostFunctions(bundle);
  const wasm = withCustomSection(snapshot.wasm, HOST_FUNCTIONS_SECTION, new TextEncoder().encode(JSON.stringify(hostFunctions)));
  try {
    await WebAssembly.compile(wasm as Uint8Array<ArrayBuffer>);
  } catch (error) {
    throw new Error(`the built module is not valid WebAssembly (a bug of @diaryx/js-runtime): ${(error as Error).message}`);
  }
  if (options.checkManifest ?? true) {
    // The loader is loaded when a build runs, not when the build API is imported.
    const { reviewPluginManifest } = await import('@diaryx/loader');
    const report = await reviewPluginManifest(wasm, options.appVersion);
    if (report.errors.length > 0) {
      throw new PluginBuildError(`${shown}: ${report.errors.join(`\n${shown}: `)}`, inputs);
    }
    warnings = [...warnings, ...report.warnings.map((warning) => `${shown}: warning: ${warning}`)];
  }
  if (options.outFile) {
    await mkdir(dirname(resolve(options.outFile)), { recursive: true });
    // The map first, then the wasm, each replaced whole (a test run or a watcher never reads half a file).
    await replaceFile(`${options.outFile}.map`, sourceMap);
    await replaceFile(options.outFile, wasm);
  }
  return { wasm, exports: snapshot.exports, bundleBytes: Buffer.byteLength(bundle), sourceMap, warnings, hostFunctions, inputs };
}

/** Writes `path` through a temporary file renamed over it: readers see the old or the new content, never a part. */
async function replaceFile(path: string, content: string | Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, path);
}

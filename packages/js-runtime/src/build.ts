import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { build as esbuild, type Message } from 'esbuild';
import { PRELUDE_PATH, readRuntime } from './runtime-files.js';
import { snapshotPlugin, SnapshotError } from './snapshot.js';

/** Exports every Diaryx plugin must have. */
const REQUIRED_EXPORTS = ['manifest', 'handle_command'] as const;

/** A plugin that cannot be built: the message names the file (and line) and the fix. */
export class PluginBuildError extends Error {
  override readonly name = 'PluginBuildError';
}

/** What {@link buildPlugin} needs. */
export interface BuildPluginOptions {
  /** The plugin's entry module (TypeScript or JavaScript, ESM); its exports become the wasm's. */
  entry: string;
  /** Where to write `plugin.wasm`; omitted → only returned. */
  outFile?: string;
  /** Keep the bundle readable (default true: stacks then name real function names). */
  minify?: boolean;
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
 * @throws PluginBuildError for syntax and type-stripping errors (file:line), an unknown host
 * function, a missing `manifest`/`handle_command` export, or top-level code that throws
 */
export async function buildPlugin(options: BuildPluginOptions): Promise<BuiltPlugin> {
  const entry = resolve(options.entry);
  const shown = relative(process.cwd(), entry) || entry;
  let bundle: string;
  let sourceMap: string;
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
    });
    bundle = result.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
    sourceMap = result.outputFiles.find((f) => f.path.endsWith('.map'))!.text;
  } catch (error) {
    const failure = error as { errors?: Message[] };
    if (failure.errors) throw new PluginBuildError(`${shown}: the bundle failed:\n${formatMessages(failure.errors)}`);
    throw error;
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
      throw new PluginBuildError(`${shown}: the plugin's top-level code failed at build time: ${error.message}`);
    }
    throw error;
  }
  const missing = REQUIRED_EXPORTS.filter((name) => !snapshot.exports.includes(name));
  if (missing.length > 0) {
    throw new PluginBuildError(
      `${shown} does not export ${missing.map((m) => `\`${m}\``).join(' and ')} (every Diaryx plugin must; ` +
        `it exports: ${snapshot.exports.join(', ') || 'no function'})`,
    );
  }
  try {
    await WebAssembly.compile(snapshot.wasm as Uint8Array<ArrayBuffer>);
  } catch (error) {
    throw new Error(`the built module is not valid WebAssembly (a bug of @diaryx/js-runtime): ${(error as Error).message}`);
  }
  if (options.outFile) {
    await mkdir(dirname(resolve(options.outFile)), { recursive: true });
    await writeFile(options.outFile, snapshot.wasm);
    await writeFile(`${options.outFile}.map`, sourceMap);
  }
  return { wasm: snapshot.wasm, exports: snapshot.exports, bundleBytes: Buffer.byteLength(bundle), sourceMap };
}

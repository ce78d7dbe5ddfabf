#!/usr/bin/env node
// @ts-check
// `diaryx-as build [--watch] <asc arguments…>`: the AssemblyScript compiler (asc's programmatic
// API, in this process) with the output replaced whole (a test run never reads half a
// plugin.wasm), the built manifest checked as the loader reads it (an element it would drop
// fails the build), and, with --watch, a rebuild whenever one of the files the compiler read
// changes (the watch loop of @diaryx/watch, shared with diaryx-js).
// Plain JavaScript: this package ships AssemblyScript sources and has no build of its own.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { quietWasiWarning } from '@diaryx/loader/quiet-wasi-warning';
import { watchBuilds } from '@diaryx/watch';
import asc from 'assemblyscript/asc';

// The manifest check loads the loader, and with it node:wasi: drop Node's one WASI warning.
quietWasiWarning();

const USAGE = `Usage: diaryx-as build [--watch] <asc arguments…>

Compiles with asc, taking the same arguments (e.g. assembly/index.ts --outFile plugin.wasm
--use abort=~lib/@diaryx/plugin-sdk-as/assembly/abort/abort -O3).

After a compile, the plugin's manifest is read as the Diaryx loader reads it: a ui or cli element
the loader would drop (a field type that does not exist, a missing label, a wrong-typed value)
fails the build naming the element and the field, and the previous output stays; a slot Diaryx
1.4.1 does not know is a warning. --no-manifest-check skips it.

--watch  compile, then again whenever a file the compiler read changes (the entry, what it
         imports, this SDK): one line per build with its time and errors; a failed build keeps
         the previous output. Ctrl-C stops.`;

/** An asc output stream kept in memory. */
function memoryStream() {
  let text = '';
  return {
    /** @param {Uint8Array | string} chunk */
    write(chunk) {
      text += typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk);
    },
    toString: () => text,
  };
}

/** The value of asc's `--outFile`/`-o`, for messages. */
function outFileOf(/** @type {string[]} */ args) {
  for (let i = 0; i < args.length; i++) {
    const arg = /** @type {string} */ (args[i]);
    if (arg === '--outFile' || arg === '-o') return args[i + 1] ?? 'the output';
    if (arg.startsWith('--outFile=')) return arg.slice('--outFile='.length);
  }
  return 'the output';
}

/** A compile's output written whole: a temporary file renamed over it. */
async function replaceFile(/** @type {string} */ path, /** @type {Uint8Array | string} */ contents) {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, path);
}

/**
 * What the Diaryx loader says about a built plugin's manifest (errors fail the build).
 * @param {Uint8Array} wasm
 * @returns {Promise<{ errors: string[], warnings: string[] }>}
 */
async function reviewManifest(wasm) {
  // Loaded when a build runs: `diaryx-as --help` does not start the loader.
  const { reviewPluginManifest } = await import('@diaryx/loader');
  return reviewPluginManifest(wasm);
}

/**
 * One compile. Resolves with its outcome, its output (asc's stdout and stderr, then the manifest
 * check's lines) and the files the compiler read (absolute paths). The wasm is written only when
 * the compile and the manifest check succeed: a failed build keeps the previous output.
 * @param {string[]} args
 * @param {boolean} checkManifest
 * @returns {Promise<{ ok: boolean, output: string, ms: number, files: string[] }>}
 */
async function compile(args, checkManifest) {
  const started = performance.now();
  /** @type {Set<string>} */
  const files = new Set();
  /** @type {Map<string, Uint8Array | string>} */
  const written = new Map();
  const stdout = memoryStream();
  const stderr = memoryStream();
  const { error } = await asc.main(args, {
    stdout,
    stderr,
    async readFile(name, baseDir) {
      const path = resolve(baseDir, name);
      try {
        const text = await readFile(path, 'utf8');
        files.add(path);
        return text;
      } catch {
        return null;
      }
    },
    async writeFile(name, contents, baseDir) {
      written.set(resolve(baseDir, name), contents);
    },
  });
  let output = `${stdout}${stderr}${error && !`${stderr}`.includes(error.message) ? `${error.message}\n` : ''}`;
  let ok = error === null;
  const wasm = [...written].find(([path, contents]) => path.endsWith('.wasm') && typeof contents !== 'string');
  if (ok && checkManifest && wasm) {
    const shown = relative(process.cwd(), wasm[0]) || wasm[0];
    const review = await reviewManifest(/** @type {Uint8Array} */ (wasm[1]));
    for (const warning of review.warnings) output += `${shown}: warning: ${warning}\n`;
    for (const problem of review.errors) output += `${shown}: error: ${problem}\n`;
    if (review.errors.length > 0) ok = false;
  }
  if (ok) for (const [path, contents] of written) await replaceFile(path, contents);
  return { ok, output, ms: Math.round(performance.now() - started), files: [...files] };
}

/** `12:03:04`: when a watch build finished, local time. */
const clock = () => new Date().toTimeString().slice(0, 8);

/**
 * Compiles, then again after each change of a file the last compile read; until Ctrl-C.
 * @param {string[]} args
 * @param {boolean} checkManifest
 */
async function watchBuild(args, checkManifest) {
  const out = outFileOf(args);
  /** @type {string[]} */
  let last = [];
  const watcher = await watchBuilds({
    async build() {
      const result = await compile(args, checkManifest);
      // A failed compile read fewer files, maybe: keep watching the last good set too.
      last = result.ok ? result.files : [...new Set([...last, ...result.files])];
      return { ...result, files: last };
    },
    onBuild({ outcome: result, changed, watching }) {
      const cause = changed.map((file) => relative(process.cwd(), file) || file);
      const after = cause.length === 0 ? '' : ` after a change of ${cause.join(', ')}`;
      if (result.ok) {
        if (result.output.trim() !== '') process.stderr.write(result.output);
        console.log(`${clock()} built ${out} in ${result.ms} ms${after}; watching ${watching} files`);
      } else {
        console.error(`${clock()} build failed in ${result.ms} ms${after}; ${out} is unchanged (the last good build):\n${result.output.trimEnd()}`);
      }
    },
  });
  console.log('watching for changes (Ctrl-C to stop)');
  await new Promise((resolveStop) => {
    process.once('SIGINT', resolveStop);
    process.once('SIGTERM', resolveStop);
  });
  await watcher.close();
  console.log('stopped watching');
  return 0;
}

async function main(/** @type {string[]} */ argv) {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  if (command !== 'build' || rest.length === 0) {
    console.error(USAGE);
    return 2;
  }
  const watching = rest.includes('--watch');
  const checkManifest = !rest.includes('--no-manifest-check');
  const args = rest.filter((arg) => arg !== '--watch' && arg !== '--no-manifest-check');
  if (watching) return watchBuild(args, checkManifest);
  const result = await compile(args, checkManifest);
  process.stderr.write(result.output);
  return result.ok ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));

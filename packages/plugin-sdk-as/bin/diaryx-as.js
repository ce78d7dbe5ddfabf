#!/usr/bin/env node
// @ts-check
// `diaryx-as build [--watch] <asc arguments…>`: the AssemblyScript compiler (asc's programmatic
// API, in this process) with the output replaced whole (a test run never reads half a
// plugin.wasm) and, with --watch, a rebuild whenever one of the files the compiler read changes.
// Plain JavaScript: this package ships AssemblyScript sources and has no build of its own.
import { watch } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import asc from 'assemblyscript/asc';

const USAGE = `Usage: diaryx-as build [--watch] <asc arguments…>

Compiles with asc, taking the same arguments (e.g. assembly/index.ts --outFile plugin.wasm
--use abort=~lib/@diaryx/plugin-sdk-as/assembly/abort/abort -O3).

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

/**
 * One compile. Resolves with its outcome, its output (asc's stdout and stderr) and the files the
 * compiler read (absolute paths).
 * @param {string[]} args
 * @returns {Promise<{ ok: boolean, output: string, ms: number, files: string[] }>}
 */
async function compile(args) {
  const started = performance.now();
  /** @type {Set<string>} */
  const files = new Set();
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
      const path = resolve(baseDir, name);
      await mkdir(dirname(path), { recursive: true });
      const temporary = `${path}.${process.pid}.tmp`;
      await writeFile(temporary, contents);
      await rename(temporary, path);
    },
  });
  const output = `${stdout}${stderr}${error && !`${stderr}`.includes(error.message) ? `${error.message}\n` : ''}`;
  return { ok: error === null, output, ms: Math.round(performance.now() - started), files: [...files] };
}

/** `12:03:04`: when a watch build finished, local time. */
const clock = () => new Date().toTimeString().slice(0, 8);

/**
 * Compiles, then again after each change of a file the last compile read; until Ctrl-C.
 * @param {string[]} args
 */
async function watchBuild(args) {
  const out = outFileOf(args);
  /** @type {Set<string>} */
  let sources = new Set();
  /** @type {Map<string, import('node:fs').FSWatcher>} */
  const folders = new Map();
  /** @type {Set<string>} */
  let changed = new Set();
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  /** @type {Promise<void> | null} */
  let building = null;
  let again = false;
  let closed = false;

  // Folders, not files: an editor that saves by renaming a new file over the old one ends a watch on the old file.
  const watchSources = (/** @type {string[]} */ files) => {
    sources = new Set(files);
    const wanted = new Set(files.map((file) => dirname(file)));
    for (const [folder, watcher] of folders) {
      if (!wanted.has(folder)) {
        watcher.close();
        folders.delete(folder);
      }
    }
    for (const folder of wanted) {
      if (folders.has(folder)) continue;
      try {
        folders.set(
          folder,
          watch(folder, (_event, name) => {
            const file = name === null ? folder : resolve(folder, name.toString());
            if (name !== null && !sources.has(file)) return;
            changed.add(file);
            clearTimeout(timer);
            timer = setTimeout(start, 50);
          }),
        );
      } catch {
        // A folder that is gone: the next compile says what is missing.
      }
    }
  };

  const buildOnce = async () => {
    const cause = [...changed].map((file) => relative(process.cwd(), file) || file);
    changed = new Set();
    const result = await compile(args);
    // A failed compile read fewer files, maybe: keep watching the last good set too.
    watchSources(result.ok ? result.files : [...new Set([...sources, ...result.files])]);
    const after = cause.length === 0 ? '' : ` after a change of ${cause.join(', ')}`;
    if (result.ok) {
      if (result.output.trim() !== '') process.stderr.write(result.output);
      console.log(`${clock()} built ${out} in ${result.ms} ms${after}; watching ${sources.size} files`);
    } else {
      console.error(`${clock()} build failed in ${result.ms} ms${after}; ${out} is unchanged (the last good build):\n${result.output.trimEnd()}`);
    }
  };

  function start() {
    if (closed) return;
    if (building) {
      again = true;
      return;
    }
    building = buildOnce().finally(() => {
      building = null;
      if (again) {
        again = false;
        start();
      }
    });
  }

  start();
  await building;
  console.log('watching for changes (Ctrl-C to stop)');
  await new Promise((resolveStop) => {
    process.once('SIGINT', resolveStop);
    process.once('SIGTERM', resolveStop);
  });
  closed = true;
  clearTimeout(timer);
  for (const watcher of folders.values()) watcher.close();
  await building;
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
  const args = rest.filter((arg) => arg !== '--watch');
  if (watching) return watchBuild(args);
  const result = await compile(args);
  process.stderr.write(result.output);
  return result.ok ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));

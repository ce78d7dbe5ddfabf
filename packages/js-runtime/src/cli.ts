import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { buildPlugin, type BuiltPlugin, PluginBuildError } from './build.js';
import { watchPlugin, type WatchBuildReport } from './watch.js';

const USAGE = `Usage: diaryx-js build <entry.ts> -o <plugin.wasm> [--watch] [--minify] [--no-type-check]

Type-checks the entry with the TypeScript compiler (a type error fails the build; uses of
Config.get, Http, fetch, setTimeout and setInterval, which do not work in Diaryx plugins, are warned
about), bundles a TypeScript plugin with esbuild, evaluates it in the QuickJS runtime at build time and
writes a snapshotted plugin.wasm whose exports are the entry's exported functions.

--watch  build, then rebuild whenever a source file of the bundle changes (one line per build,
         with its time and errors; a failed build keeps the previous plugin.wasm). Ctrl-C stops.`;

function builtLine(out: string, built: BuiltPlugin, ms: number): string {
  return `built ${out} (${built.wasm.length} bytes, exports: ${built.exports.join(', ')}) in ${ms} ms`;
}

/** `12:03:04`: when a watch build finished, local time. */
function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}

function reportWatchBuild(out: string, report: WatchBuildReport): void {
  const files = report.changed.map((file) => relative(process.cwd(), file) || file);
  const cause = files.length === 0 ? '' : ` after a change of ${files.join(', ')}`;
  if (report.ok && report.built) {
    for (const warning of report.built.warnings) console.error(warning);
    console.log(`${clock()} ${builtLine(out, report.built, report.ms)}${cause}; watching ${report.watching} files`);
  } else {
    console.error(`${clock()} build failed in ${report.ms} ms${cause}; ${out} is unchanged (the last good build):\n${report.error ?? ''}`);
  }
}

async function watchUntilInterrupted(entry: string, out: string, minify: boolean, typeCheck: boolean): Promise<number> {
  const watcher = await watchPlugin({ entry, outFile: out, minify, typeCheck, onBuild: (report) => reportWatchBuild(out, report) });
  console.log('watching for changes (Ctrl-C to stop)');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await watcher.close();
  console.log('stopped watching');
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      watch: { type: 'boolean', short: 'w' },
      minify: { type: 'boolean' },
      'no-type-check': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [command, entry] = positionals;
  if (command !== 'build' || !entry || !values.out) {
    console.error(USAGE);
    return 2;
  }
  const minify = values.minify ?? false;
  const typeCheck = values['no-type-check'] !== true;
  if (values.watch) return watchUntilInterrupted(entry, values.out, minify, typeCheck);
  const started = performance.now();
  try {
    const built = await buildPlugin({ entry, outFile: values.out, minify, typeCheck });
    for (const warning of built.warnings) console.error(warning);
    console.log(builtLine(values.out, built, Math.round(performance.now() - started)));
    return 0;
  } catch (error) {
    console.error(error instanceof PluginBuildError ? error.message : (error as Error).stack ?? String(error));
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));

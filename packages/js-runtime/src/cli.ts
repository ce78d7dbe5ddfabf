import { parseArgs } from 'node:util';
import { buildPlugin, PluginBuildError } from './build.js';

const USAGE = `Usage: diaryx-js build <entry.ts> -o <plugin.wasm> [--minify] [--no-type-check]

Type-checks the entry with the TypeScript compiler (a type error fails the build; uses of
Config.get, Http, setTimeout and setInterval, which do not work in Diaryx plugins, are warned
about), bundles a TypeScript plugin with esbuild, evaluates it in the QuickJS runtime at build time and
writes a snapshotted plugin.wasm whose exports are the entry's exported functions.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
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
  const started = performance.now();
  try {
    const built = await buildPlugin({ entry, outFile: values.out, minify: values.minify ?? false, typeCheck: values['no-type-check'] !== true });
    for (const warning of built.warnings) console.error(warning);
    const ms = Math.round(performance.now() - started);
    console.log(`built ${values.out} (${built.wasm.length} bytes, exports: ${built.exports.join(', ')}) in ${ms} ms`);
    return 0;
  } catch (error) {
    console.error(error instanceof PluginBuildError ? error.message : (error as Error).stack ?? String(error));
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));

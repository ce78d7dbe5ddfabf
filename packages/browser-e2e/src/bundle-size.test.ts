// The browser bundle of the portable entries, as an app's bundler builds it (esbuild, minified,
// code splitting, the `browser` condition): what a page loads up front, and what it loads only
// when needed (the Extism SDK with the first plugin, the YAML parser with the first frontmatter
// read, worker mode for a worker plugin).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';

const apps = fileURLToPath(new URL('./bundle-apps/', import.meta.url));

/** Sizes (bytes) above which the test fails: as measured, plus about 2%. */
const BUDGET = { upFront: 123_500, hostUpFront: 130_500, toRunAPlugin: 264_000 };

interface Bundle {
  /** Bytes of the entry and every chunk it imports statically: what the page loads up front. */
  upFront: number;
  /** The inputs in those chunks. */
  upFrontInputs: string[];
  /** Chunks loaded only through `import()`, by their main input. */
  lazy: Array<{ bytes: number; inputs: string[] }>;
}

async function bundle(app: string): Promise<Bundle> {
  const result = await build({
    entryPoints: [join(apps, app)],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['browser'],
    splitting: true,
    write: false,
    outdir: join(apps, 'out'),
    metafile: true,
    logLevel: 'silent',
  });
  const outputs: Metafile['outputs'] = result.metafile.outputs;
  const entry = Object.keys(outputs).find((path) => outputs[path]!.entryPoint?.endsWith(app))!;
  const upFront = new Set<string>();
  const visit = (path: string) => {
    if (upFront.has(path)) return;
    upFront.add(path);
    for (const imported of outputs[path]!.imports) if (imported.kind === 'import-statement') visit(imported.path);
  };
  visit(entry);
  return {
    upFront: [...upFront].reduce((sum, path) => sum + outputs[path]!.bytes, 0),
    upFrontInputs: [...upFront].flatMap((path) => Object.keys(outputs[path]!.inputs)),
    lazy: Object.keys(outputs)
      .filter((path) => !upFront.has(path) && !path.endsWith(app.replace('.ts', '.js')))
      .map((path) => ({ bytes: outputs[path]!.bytes, inputs: Object.keys(outputs[path]!.inputs) })),
  };
}

const has = (inputs: readonly string[], part: string) => inputs.some((input) => input.includes(part));

describe('the browser bundle (esbuild, minified)', () => {
  it('a page loads the kit up front, the Extism SDK when its first plugin starts, YAML when frontmatter is first read, worker mode only for a worker plugin', async () => {
    const { upFront, upFrontInputs, lazy } = await bundle('minimal-app.ts');
    for (const part of ['/yaml/', '@extism', 'worker-instance']) expect(has(upFrontInputs, part), part).toBe(false);
    const sdk = lazy.find((chunk) => has(chunk.inputs, '@extism'));
    expect(lazy.some((chunk) => has(chunk.inputs, '/yaml/'))).toBe(true);
    expect(lazy.some((chunk) => has(chunk.inputs, 'worker-instance'))).toBe(true);
    // Measured: 120.9 KB up front (the loader 56.0 KB with @diaryx/wasm's rewriter 26.4 KB,
    // host-fns 37.0 KB); the SDK 137.6 KB (74 KB of it the worker script it inlines), so 258.6 KB
    // to run a plugin in the default mode; YAML 103.8 KB and worker mode 4.1 KB only when needed.
    expect(upFront).toBeLessThan(BUDGET.upFront);
    expect(upFront + sdk!.bytes).toBeLessThan(BUDGET.toRunAPlugin);
  });

  it('createPluginHost adds a few KB up front', async () => {
    const { upFront, upFrontInputs } = await bundle('host-app.ts');
    expect(has(upFrontInputs, 'plugin-host')).toBe(true);
    expect(has(upFrontInputs, '/yaml/')).toBe(false);
    // Measured: 128.0 KB.
    expect(upFront).toBeLessThan(BUDGET.hostUpFront);
  });

  it('a page that reads the root index loads YAML on its first frontmatter read, not up front', async () => {
    const { upFrontInputs, lazy } = await bundle('frontmatter-app.ts');
    expect(has(upFrontInputs, 'frontmatter-checker')).toBe(true);
    expect(has(upFrontInputs, '/yaml/')).toBe(false);
    expect(lazy.some((chunk) => has(chunk.inputs, '/yaml/'))).toBe(true);
  });
});

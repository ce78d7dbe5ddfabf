/**
 * The files of a small app that uses the published kit the way the README shows: a portable
 * module (`src/app.ts`) that runs a plugin from its bytes with an in-memory workspace, a Node entry
 * that loads a real plugins folder, and a browser entry for the Vite bundle of the same module.
 */
export const APP_FILES: Readonly<Record<string, string>> = {
  'src/app.ts': `import { allowAll, createHostContext, memoryWorkspaceFs } from '@diaryx/host-fns';
import { type CommandResponse, loadPluginFromBytes } from '@diaryx/loader';

/** Counts the words of one note with the word-count plugin, everything in memory (Node or browser). */
export async function countWordsInMemory(wasm: Uint8Array, text: string): Promise<CommandResponse> {
  const host = createHostContext({ fs: memoryWorkspaceFs({ 'notes/today.md': text }), permissions: allowAll });
  const plugin = await loadPluginFromBytes(wasm, host);
  try {
    return await plugin.handleCommand('word-count', { path: 'notes/today.md' });
  } finally {
    await plugin.close();
  }
}
`,
  'src/node-main.ts': `import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { allowAll, createHostContext, nodeWorkspaceFs } from '@diaryx/host-fns';
import { loadPluginsFromDir } from '@diaryx/loader';
import { countWordsInMemory } from './app.js';

const [pluginsDir, workspace] = process.argv.slice(2);
if (!pluginsDir || !workspace) throw new Error('usage: node-main.js <plugins folder> <workspace folder>');

const host = createHostContext({ fs: nodeWorkspaceFs(workspace), permissions: allowAll });
const { plugins, failures } = await loadPluginsFromDir(pluginsDir, host);
const results: Record<string, unknown> = { failures: failures.map((failure) => failure.error.message) };
for (const plugin of plugins) {
  await plugin.init({ workspace_root: workspace });
  results[plugin.id] = await plugin.handleCommand('word-count', { path: 'notes/today.md' });
  await plugin.close();
}
const wasm = await readFile(join(pluginsDir, 'diaryx.example.word-count', 'plugin.wasm'));
results['in-memory'] = await countWordsInMemory(wasm, 'eins zwei drei vier');
console.log(JSON.stringify(results));
`,
  'src/browser-main.ts': `import { countWordsInMemory } from './app.js';

const wasm = new Uint8Array(await (await fetch('./plugin.wasm')).arrayBuffer());
document.body.textContent = JSON.stringify(await countWordsInMemory(wasm, 'one two three'));
`,
  'index.html': `<!doctype html>
<html>
  <body>
    <script type="module" src="./src/browser-main.ts"></script>
  </body>
</html>
`,
  'tsconfig.node16.json': `${JSON.stringify(
    {
      // No `lib`: the target's default (with DOM, where TypeScript declares `WebAssembly`), as `tsc --init` leaves it.
      compilerOptions: { target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true, outDir: 'dist-node', types: ['node'] },
      include: ['src/app.ts', 'src/node-main.ts'],
    },
    null,
    2,
  )}\n`,
  'tsconfig.bundler.json': `${JSON.stringify(
    {
      compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'bundler', strict: true, noEmit: true, types: [], lib: ['ES2023', 'DOM'] },
      include: ['src/app.ts', 'src/browser-main.ts'],
    },
    null,
    2,
  )}\n`,
  'vite.config.js': `export default { build: { target: 'es2022', outDir: 'dist-browser', assetsInlineLimit: 0 } };\n`,
};

// The trial of issue 26 as an app: the desktop host of docs/examples/desktop-host.ts (public API
// only) over a real workspace folder with the five example plugins and one broken plugin. Run in
// a child process by src/host/desktop-trial.test.ts; prints one JSON report, then
// `closed at <ms>` after the shutdown, and must then exit by itself.
import '@diaryx/loader/quiet-wasi-warning/register';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { PermissionAsker } from '@diaryx/host-fns';
import type { PluginHost } from '@diaryx/loader';
import { compileWat, guestWat, hostileManifest } from '@diaryx/test-utils';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
// The app under test lives in docs/examples (outside this package's sources): imported by URL.
const { openDesktopHost } = (await import(new URL('docs/examples/desktop-host.ts', pathToFileURL(repo)).href)) as {
  openDesktopHost(
    workspace: string,
    ui: { ask: PermissionAsker; notify(text: string): void; pluginEvent(pluginId: string, event: string): void },
    timeoutMs?: number,
  ): Promise<{ plugins: PluginHost; close(): Promise<void> }>;
};
const EXAMPLES = {
  'diaryx.example.contents': 'examples/contents/build/plugin.wasm',
  'diaryx.example.daily': 'examples/daily/build/plugin.wasm',
  'diaryx.example.webhook': 'examples/webhook/build/plugin.wasm',
  'diaryx.example.word-count': 'examples/word-count/build/plugin.wasm',
  'diaryx.example.word-count-ts': 'examples/word-count-ts/build/plugin.wasm',
};
const BROKEN = 'acme.broken';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A plugin that writes broken.md on every event (a watcher feeding it back would loop), traps on `crash` and never ends `hang`. */
function broken(): Promise<Uint8Array> {
  return compileWat(
    guestWat({
      manifest: hostileManifest(BROKEN, { name: 'Broken', commands: ['crash', 'hang'], capabilities: ['custom_commands', 'file_events'] }),
      hostImports: ['host_write_file'],
      data: { write: JSON.stringify({ path: 'broken.md', content: 'seen an event\n' }) },
      exports: {
        on_event: '(drop (call $host_write_file (call $to_block (global.get $write_ptr) (global.get $write_len)))) (i32.const 0)',
        // {"command":"crash","params":null} (33 bytes) → unreachable; anything else loops.
        handle_command: '(if (i64.eq (call $input_length) (i64.const 33)) (then unreachable)) (loop $l (br $l)) (i32.const 0)',
      },
    }),
  );
}

async function until(check: () => boolean, ms = 15_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(25);
  }
  return true;
}

const workspace = await mkdtemp(join(tmpdir(), 'diaryx-trial-'));
const hook = { posts: [] as string[] };
const server = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString()));
  request.on('end', () => {
    hook.posts.push(body);
    response.writeHead(204).end();
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as { port: number }).port;

try {
  // The workspace: a root index whose plugins block grants the plugins what they need (the
  // webhook only its local server), a note, and the plugins in .diaryx/plugins/<id>.
  const grant = (rules: Record<string, string[]>) =>
    `    permissions:\n${Object.entries(rules).map(([key, include]) => `      ${key}: { include: [${include.map((s) => JSON.stringify(s)).join(', ')}], exclude: [] }`).join('\n')}\n`;
  await writeFile(
    join(workspace, 'README.md'),
    '---\ntitle: Trial\ncontents: []\nplugins:\n' +
      `  diaryx.example.contents:\n${grant({ read_files: ['all'], edit_files: ['README.md'] })}` +
      `  diaryx.example.daily:\n${grant({ read_files: ['all'], create_files: ['Daily'] })}` +
      `  diaryx.example.webhook:\n${grant({ read_files: ['all'], http_requests: ['127.0.0.1'] })}` +
      `  diaryx.example.word-count:\n${grant({ read_files: ['all'] })}` +
      `  diaryx.example.word-count-ts:\n${grant({ read_files: ['all'] })}` +
      `  ${BROKEN}:\n${grant({ edit_files: ['broken.md'], create_files: ['broken.md'] })}` +
      '---\n# Trial\n',
  );
  await mkdir(join(workspace, 'notes'));
  await writeFile(join(workspace, 'notes', 'today.md'), 'one two three');
  const pluginsDir = join(workspace, '.diaryx', 'plugins');
  for (const [id, path] of Object.entries(EXAMPLES)) {
    await mkdir(join(pluginsDir, id), { recursive: true });
    await copyFile(join(repo, path), join(pluginsDir, id, 'plugin.wasm'));
  }
  await writeFile(join(pluginsDir, 'diaryx.example.webhook', 'config.json'), JSON.stringify({ url: `http://127.0.0.1:${port}/hook` }));
  await mkdir(join(pluginsDir, BROKEN));
  await writeFile(join(pluginsDir, BROKEN, 'plugin.wasm'), await broken());

  const asked: string[] = [];
  const notified: string[] = [];
  const emitted: Array<{ pluginId: string; event: unknown }> = [];
  const host = await openDesktopHost(
    workspace,
    {
      ask: ({ pluginId, permission, target }) => (asked.push(`${pluginId} ${permission} ${target}`), false),
      notify: (text) => notified.push(text),
      pluginEvent: (pluginId, text) => emitted.push({ pluginId, event: JSON.parse(text) as unknown }),
    },
    1_500,
  );
  const { plugins } = host;
  const lifecycle: string[] = [];
  for (const type of ['loaded', 'failed', 'reloaded', 'unloaded', 'timeout', 'crashed', 'restarted', 'closed'] as const) {
    plugins.addEventListener(type, (event) => {
      const detail = event.detail as { id?: string; pluginId?: string };
      lifecycle.push(`${type} ${detail.id ?? detail.pluginId ?? ''}`.trim());
    });
  }
  const loaded = [...plugins.plugins.values()].map((p) => `${p.id} ${p.state}`);

  // One user edit: one file_saved to every plugin; the broken plugin's own write of broken.md is
  // never sent back (the trial saw 31 events in 5 s).
  const callsBefore = plugins.get(BROKEN)!.stats().calls;
  await writeFile(join(workspace, 'notes', 'today.md'), 'one two three four');
  await until(() => hook.posts.length >= 1);
  await sleep(2_500);
  const eventCalls = plugins.get(BROKEN)!.stats().calls - callsBefore;
  const brokenWritten = await readFile(join(workspace, 'broken.md'), 'utf8').catch(() => null);

  // A command that needs a permission the root index grants, one it does not (asked, refused).
  const daily = await plugins.run('diaryx.example.daily', 'open-today').catch((e: Error) => e.message);
  const tour = await plugins.run('diaryx.example.contents', 'tour').catch((e: { kind?: string; message: string }) => `${e.kind}: ${e.message}`);

  // A crash and a timeout, each a lifecycle event; the plugin answers afterwards.
  const crash = await plugins.run(BROKEN, 'crash').then(() => 'no error', (e: { kind: string; userMessage: string }) => `${e.kind}: ${e.userMessage}`);
  const hang = await plugins.run(BROKEN, 'hang').then(() => 'no error', (e: { kind: string; userMessage: string }) => `${e.kind}: ${e.userMessage}`);

  // A new plugin.wasm (a rebuild) reloads the plugin.
  const wordCount = join(pluginsDir, 'diaryx.example.word-count', 'plugin.wasm');
  await writeFile(wordCount, await readFile(wordCount));
  const reloaded = await until(() => lifecycle.includes('reloaded diaryx.example.word-count'));
  const counted = await plugins.run('diaryx.example.word-count', 'word-count', { path: 'notes/today.md' });

  const loadOrder = [...plugins.plugins.keys()];
  await host.close();
  await rm(workspace, { recursive: true, force: true });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  console.log(
    JSON.stringify({
      loaded,
      loadOrder,
      hookPosts: hook.posts.map((body) => JSON.parse(body) as unknown),
      eventCalls,
      brokenWritten,
      emitted,
      daily,
      tour,
      asked,
      crash,
      hang,
      reloaded,
      counted,
      notified,
      lifecycle,
    }),
  );
  console.log(`closed at ${Date.now()}`);
} catch (error) {
  console.error((error as Error).stack);
  server.close();
  await rm(workspace, { recursive: true, force: true });
  process.exitCode = 1;
}

// The README's first command ends here: load the example plugins from a real plugins folder with
// @diaryx/loader, against a small sample workspace on disk, fire a file_saved event, run each
// plugin's commands and print what happened. Runs on the built packages (dist).
// `--record <dir>` records every plugin's calls and writes one trace per plugin there
// (`<id>.trace.json`), for `diaryx-plugin replay`.
import { copyFile, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quietWasiWarning } from '@diaryx/loader/quiet-wasi-warning';

// Node's WASI ExperimentalWarning is dropped before the loader (and the Extism SDK) loads.
quietWasiWarning();
const { createHostContext, fetchHttpClient, MemoryPluginStorage, nodeWorkspaceFs, rulesChecker } = await import('@diaryx/host-fns');
const { guestEvents, loadPluginsFromDir } = await import('@diaryx/loader');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);

const SAMPLE_WORKSPACE = {
  'README.md': '---\ntitle: My journal\ncontents:\n  - notes/hello.md\n  - notes/café.md\n---\n# My journal\n',
  'notes/hello.md': '---\npart_of: ../README.md\n---\nHello world, this is the first note of the demo.\n',
  'notes/café.md': '---\npart_of: ../README.md\n---\nUn café crème, s’il vous plaît — naïve façade.\n',
};

// Demo parameters for the example plugins' commands (any other command is called with null).
const COMMAND_PARAMS = {
  'word-count': [{ path: 'notes/café.md' }, null],
  'set-template': [{ template: '# {{date}}\n\nWhat happened today?\n' }],
};

async function main() {
  const { values } = parseArgs({ options: { record: { type: 'string' } } });
  const base = await mkdtemp(join(tmpdir(), 'diaryx-demo-'));
  const workspace = join(base, 'workspace');
  const pluginsDir = join(base, 'plugins');
  try {
    for (const [path, text] of Object.entries(SAMPLE_WORKSPACE)) {
      await mkdir(dirname(join(workspace, path)), { recursive: true });
      await writeFile(join(workspace, path), text);
    }
    const copied = await copyExamplePlugins(pluginsDir);
    console.log(bold(`Plugins folder ${pluginsDir}: ${copied.join(', ')}`));
    console.log(bold(`Workspace ${workspace}: ${Object.keys(SAMPLE_WORKSPACE).join(', ')}\n`));

    const webhook = await startWebhookReceiver();
    const events = [];
    const granted = {};
    const host = createHostContext({
      fs: nodeWorkspaceFs(workspace),
      storage: new MemoryPluginStorage(),
      secrets: secretStore({ 'diaryx.example.webhook:webhook_token': 'demo-token' }),
      events: { emit: (text, pluginId) => events.push({ pluginId, text }) },
      http: fetchHttpClient(),
      permissions: rulesChecker(() => granted, { workspaceRoot: workspace }),
      logger: { error: console.error, warn: console.warn, info: () => {}, debug: () => {}, trace: () => {} },
    });

    const { plugins, failures } = await loadPluginsFromDir(pluginsDir, host, values.record ? { record: true } : {});
    for (const failure of failures) console.log(`✗ ${failure.dir}: ${failure.error.kind}: ${failure.error.message}`);
    for (const plugin of plugins) {
      // The user accepts each plugin's requested permissions (Diaryx asks on install).
      granted[plugin.id] = { permissions: plugin.manifest.requested_permissions?.defaults ?? {} };
      console.log(`✓ loaded ${bold(plugin.manifest.name)} (${plugin.id} ${plugin.manifest.version}): commands ${plugin.manifest.commands.join(', ') || '—'}`);
      const reasons = Object.entries(plugin.manifest.requested_permissions?.reasons ?? {});
      for (const [key, reason] of reasons) console.log(dim(`    granted ${key}: ${reason}`));
    }

    for (const plugin of plugins) {
      if (plugin.id === 'diaryx.example.webhook') await plugin.setConfig({ url: webhook.url });
      await plugin.init({ workspace_root: workspace });
      await plugin.onEvent(guestEvents.workspaceOpened(workspace));
    }

    console.log(bold('\nfile_saved notes/hello.md →'));
    for (const plugin of plugins) await plugin.onEvent(guestEvents.fileSaved('notes/hello.md'));
    for (const { pluginId, text } of events.splice(0)) console.log(`  event from ${pluginId}: ${text}`);
    for (const request of webhook.requests) console.log(`  webhook received ${request.method} ${request.url}: ${request.body}`);

    for (const plugin of plugins) {
      for (const command of plugin.manifest.commands) {
        for (const params of COMMAND_PARAMS[command] ?? [null]) {
          const response = await plugin.handleCommand(command, params);
          console.log(`\n${bold(`${plugin.id} ${command}`)} ${dim(JSON.stringify(params))}\n  → ${JSON.stringify(response)}`);
        }
      }
      for (const { pluginId, text } of events.splice(0)) console.log(`  event from ${pluginId}: ${text}`);
    }
    const created = await listFiles(workspace);
    console.log(bold(`\nWorkspace files now: ${created.join(', ')}`));
    if (values.record) {
      await mkdir(values.record, { recursive: true });
      for (const plugin of plugins) await writeFile(join(values.record, `${plugin.id}.trace.json`), `${JSON.stringify(plugin.takeRecording(), null, 2)}\n`);
      console.log(bold(`Traces of every plugin's calls in ${values.record} (replay one: diaryx-plugin replay <plugin.wasm> <trace.json>)`));
    }
    await Promise.all(plugins.map((p) => p.close()));
    await webhook.close();
    if (failures.length > 0) process.exitCode = 1;
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

async function copyExamplePlugins(pluginsDir) {
  const names = [];
  for (const name of (await readdir(join(root, 'examples'))).sort()) {
    const wasm = join(root, 'examples', name, 'build', 'plugin.wasm');
    if (!(await stat(wasm).catch(() => null))) continue;
    await mkdir(join(pluginsDir, name), { recursive: true });
    await copyFile(wasm, join(pluginsDir, name, 'plugin.wasm'));
    names.push(name);
  }
  if (names.length === 0) throw new Error('No built example plugins found: run `npm run build` first.');
  return names;
}

function secretStore(initial) {
  const secrets = new Map(Object.entries(initial));
  return { get: (k) => secrets.get(k) ?? null, set: (k, v) => void secrets.set(k, v), delete: (k) => void secrets.delete(k) };
}

async function startWebhookReceiver() {
  const requests = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, body });
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"received":true}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/hook`, requests, close: () => new Promise((r) => server.close(r)) };
}

async function listFiles(dir, prefix = '') {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out.sort();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

// Security round 3 (issue 30): kit decision D21's protection is on by default. Each attack is the
// one the issue describes, through the real probe plugin, the real loader and a real workspace
// folder on disk.
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  allowAll,
  createHostContext,
  frontmatterChecker,
  type HostContext,
  nodeWorkspaceFs,
  rulesChecker,
} from '@diaryx/host-fns';
import { type LoadedPlugin, loadPlugin, loadPluginsFromDir } from '@diaryx/loader';
import { makeTempDir, removeTempDirs } from '@diaryx/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProbe, probeWasm } from './probe.js';
import { diskWorkspace } from './workspace.js';

const open: LoadedPlugin[] = [];
afterEach(async () => {
  for (const plugin of open.splice(0)) await plugin.close();
  await removeTempDirs();
});

/** The root index of the README's setup: the probe may read, edit, create and delete files. */
const INDEX = [
  '---',
  'title: Journal',
  'contents: []',
  'plugins:',
  '  probe:',
  '    permissions:',
  '      read_files: { include: [all] }',
  '      edit_files: { include: [all] }',
  '      create_files: { include: [all] }',
  '      delete_files: { include: [all] }',
  '---',
  'Body',
  '',
].join('\n');
const GRANTING_HTTP = INDEX.replace('      delete_files: { include: [all] }', '      delete_files: { include: [all] }\n      http_requests: { include: [all] }');

/** Puts the probe plugin in `<pluginsDir>/probe` and another plugin's files in `<pluginsDir>/other`. */
async function pluginsFolder(pluginsDir: string): Promise<void> {
  await mkdir(join(pluginsDir, 'probe'), { recursive: true });
  await writeFile(join(pluginsDir, 'probe', 'plugin.wasm'), await probeWasm());
  await mkdir(join(pluginsDir, 'other'), { recursive: true });
  await writeFile(join(pluginsDir, 'other', 'plugin.wasm'), 'the other plugin');
  await writeFile(join(pluginsDir, 'other', 'config.json'), '{}');
}

async function loadFolder(dir: string, host: HostContext, runInWorker: boolean) {
  const { plugins, failures } = await loadPluginsFromDir(dir, host, { runInWorker });
  open.push(...plugins);
  // `other` holds no real plugin: it fails to load, as a plugin the probe attacks may.
  expect(failures.map((f) => f.dir)).toEqual([join(dir, 'other')]);
  const probe = plugins[0]!;
  const call = (fn: string, input: object) => probe.call(`probe_${fn}`, JSON.stringify(input)).then((out) => new TextDecoder().decode(out ?? new Uint8Array()));
  return { probe, call };
}

const modes = [
  ['in-process', false],
  ['worker', true],
] as const;

describe.each(modes)('issue 30: protection on by default, %s', (_mode, runInWorker) => {
  it("the README's setup (frontmatterChecker + loadPluginsFromDir): a plugin with edit_files cannot rewrite the root index to grant itself http_requests", async () => {
    const { fs, root } = await diskWorkspace({ 'README.md': INDEX, 'notes/a.md': 'a' });
    await pluginsFolder(join(root, '.diaryx/plugins'));
    const permissions = frontmatterChecker(fs);
    const host = createHostContext({ fs, permissions });
    const { call } = await loadFolder(join(root, '.diaryx/plugins'), host, runInWorker);
    await expect(call('host_write_file', { path: 'README.md', content: GRANTING_HTTP })).rejects.toThrow(
      "Permission denied for plugin 'probe': this write to 'README.md' would change the 'plugins' block of the root index",
    );
    expect(await readFile(join(root, 'README.md'), 'utf8')).toBe(INDEX);
    expect(await permissions.check('probe', 'http_requests', 'example.com')).toMatchObject({ allowed: false });
    // Another markdown file of the root folder cannot become a root index that grants it either.
    await expect(call('host_write_file', { path: '0.md', content: GRANTING_HTTP })).rejects.toThrow(/'plugins' block/);
    // Edits of the index that keep the block, and notes, still work.
    expect(await call('host_write_file', { path: 'README.md', content: INDEX.replace('Body', 'New body') })).toBe('');
    expect(await call('host_write_file', { path: 'notes/b.md', content: 'b' })).toBe('');
  });

  it('a root index the frontmatter checker finds in a subfolder is protected there', async () => {
    const { fs, root } = await diskWorkspace({ 'journal/index.md': INDEX });
    const probe = await loadProbe({ fs, permissions: frontmatterChecker(fs, 'journal') }, { runInWorker });
    open.push(probe.plugin);
    expect(await probe.trap('host_write_file', { path: 'journal/index.md', content: GRANTING_HTTP })).toContain("'plugins' block of the root index");
    expect(await readFile(join(root, 'journal/index.md'), 'utf8')).toBe(INDEX);
  });

  it('with a checker that names no root index, the plugins blocks of the markdown files of the workspace folder are protected', async () => {
    const { fs, root } = await diskWorkspace({ 'index.md': INDEX });
    const permissions = rulesChecker({ probe: { permissions: { edit_files: { include: ['all'], exclude: [] }, create_files: { include: ['all'], exclude: [] } } } });
    const probe = await loadProbe({ fs, permissions }, { runInWorker });
    open.push(probe.plugin);
    expect(await probe.trap('host_write_file', { path: 'index.md', content: GRANTING_HTTP })).toContain("'plugins' block");
    expect(await probe.trap('host_write_file', { path: 'new.md', content: INDEX })).toContain("'plugins' block");
    expect(await readFile(join(root, 'index.md'), 'utf8')).toBe(INDEX);
    expect(await probe.call('host_write_file', { path: 'notes/plugins.md', content: INDEX })).toBe('');
  });

  it.each([
    ['the workspace through a link, the plugins folder by its real path', 'link', 'real'],
    ['the workspace by its real path, the plugins folder through a link', 'real', 'link'],
  ] as const)("another plugin's plugin.wasm cannot be replaced whatever the path spelling: %s", async (_what, workspaceVia, pluginsVia) => {
    // /tmp → /private/tmp on macOS, reproduced with a link to a folder.
    const base = await makeTempDir('diaryx-spelling-');
    await mkdir(join(base, 'real', 'ws'), { recursive: true });
    await symlink(join(base, 'real'), join(base, 'link'));
    await pluginsFolder(join(base, 'real', 'ws', 'plugins'));
    const host = createHostContext({ fs: nodeWorkspaceFs(join(base, workspaceVia, 'ws')), permissions: allowAll });
    const { call } = await loadFolder(join(base, pluginsVia, 'ws', 'plugins'), host, runInWorker);
    await expect(call('host_write_binary', { path: 'plugins/other/plugin.wasm', content: 'cHduZWQ=' })).rejects.toThrow(
      "Permission denied for plugin 'probe': 'plugins/other/plugin.wasm' is inside the plugins folder",
    );
    await expect(call('host_delete_file', { path: 'plugins/other/config.json' })).rejects.toThrow(/inside the plugins folder/);
    expect(await readFile(join(base, 'real', 'ws', 'plugins', 'other', 'plugin.wasm'), 'utf8')).toBe('the other plugin');
    expect(await call('host_write_file', { path: 'notes/a.md', content: 'fine' })).toBe('');
  });

  it("a plugin loaded with loadPlugin into a workspace that holds .diaryx/plugins cannot replace the other plugins, nor its own files", async () => {
    const { fs, root } = await diskWorkspace({ 'notes/a.md': 'a' });
    await pluginsFolder(join(root, '.diaryx/plugins'));
    await mkdir(join(root, 'tools'), { recursive: true });
    await writeFile(join(root, 'tools', 'probe.wasm'), await probeWasm());
    const host = createHostContext({ fs, permissions: allowAll });
    for (const plugin of [await loadPlugin(await probeWasm(), host, { name: 'probe', runInWorker }), await loadPlugin(join(root, 'tools', 'probe.wasm'), host, { runInWorker })]) {
      open.push(plugin);
      const write = (path: string) => plugin.call('probe_host_write_file', JSON.stringify({ path, content: 'pwned' }));
      await expect(write('.diaryx/plugins/other/plugin.wasm')).rejects.toThrow(/inside the plugins folder/);
      await expect(write('.diaryx/plugins/new/plugin.wasm')).rejects.toThrow(/inside the plugins folder/);
      await expect(write('.Diaryx/PLUGINS/other/config.json')).rejects.toThrow(/inside the plugins folder/);
    }
    // The plugin loaded from a file cannot rewrite that file, its manifest cache or its config.
    const fromFile = open.at(-1)!;
    for (const path of ['tools/probe.wasm', 'tools/manifest.json', 'tools/config.json']) {
      await expect(fromFile.call('probe_host_write_file', JSON.stringify({ path, content: 'pwned' })), path).rejects.toThrow(/is a plugin file/);
    }
    expect(await readFile(join(root, '.diaryx/plugins/other/plugin.wasm'), 'utf8')).toBe('the other plugin');
    expect(await readFile(join(root, 'tools', 'probe.wasm'))).toEqual(Buffer.from(await probeWasm()));
  });
});

describe('issue 30: what an app may turn off (docs/permissions.md, "Safe by default")', () => {
  it('allowPluginFileChanges lets a trusted plugin (an installer) write into .diaryx/plugins', async () => {
    const { fs, root } = await diskWorkspace({ 'notes/a.md': 'a' });
    const probe = await loadProbe({ fs, permissions: allowAll, protectedFiles: { allowPluginFileChanges: true } });
    open.push(probe.plugin);
    expect(await probe.call('host_write_file', { path: '.diaryx/plugins/new/config.json', content: '{}' })).toBe('');
    expect(await readFile(join(root, '.diaryx/plugins/new/config.json'), 'utf8')).toBe('{}');
  });

  it('allowPermissionChanges lets a trusted plugin (a permissions editor) change the plugins block', async () => {
    const { fs, root } = await diskWorkspace({ 'README.md': INDEX });
    const probe = await loadProbe({ fs, permissions: frontmatterChecker(fs), protectedFiles: { allowPermissionChanges: true } });
    open.push(probe.plugin);
    expect(await probe.call('host_write_file', { path: 'README.md', content: GRANTING_HTTP })).toBe('');
    expect(await readFile(join(root, 'README.md'), 'utf8')).toBe(GRANTING_HTTP);
  });
});

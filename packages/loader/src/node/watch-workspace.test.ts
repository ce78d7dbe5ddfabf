// Real file events on a real folder: the watcher's events, the user's edits, and a plugin that
// writes when it hears of a save (the trial saw 31 file_saved in 5 s from one edit).
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { allowAll, createHostContext, nodeWorkspaceFs } from '@diaryx/host-fns';
import { compileWat, guestWat, hostileManifest, makeTempDir, removeTempDirs } from '@diaryx/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { PluginHost } from '../host/plugin-host.js';
import type { GuestEvent } from '../protocol/types.js';
import { createPluginHost } from './create-plugin-host.js';
import { watchWorkspace, type WorkspaceWatcher } from './watch-workspace.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await removeTempDirs();
});

/** A plugin that, on every event, writes index.md (so a watcher that sends it its own write loops), and on a command deletes old.md. */
function indexer(): Promise<Uint8Array> {
  const write = (name: string) => `(drop (call $host_write_file (call $to_block (global.get $${name}_ptr) (global.get $${name}_len))))`;
  return compileWat(
    guestWat({
      manifest: hostileManifest('acme.indexer', { commands: ['tidy'] }),
      hostImports: ['host_write_file', 'host_delete_file'],
      data: {
        write: JSON.stringify({ path: 'index.md', content: '# Index\n- note.md\n' }),
        remove: JSON.stringify({ path: 'old.md' }),
        ok: '{"success":true}',
      },
      exports: {
        on_event: `${write('write')} (i32.const 0)`,
        handle_command: `(drop (call $host_delete_file (call $to_block (global.get $remove_ptr) (global.get $remove_len))))
          (call $output_bytes (global.get $ok_ptr) (global.get $ok_len)) (i32.const 0)`,
      },
    }),
  );
}

interface Watched {
  root: string;
  host: PluginHost;
  sent: GuestEvent[];
  watcher: WorkspaceWatcher;
}

async function watched(files: Record<string, string>, options: { ignore?: string[] } = {}): Promise<Watched> {
  const root = await makeTempDir('diaryx-watch-');
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
  const bytes = await indexer();
  const host = createPluginHost({ host: createHostContext({ fs: nodeWorkspaceFs(root), permissions: allowAll }), plugins: [{ name: 'acme.indexer', wasm: bytes }], mode: 'in-process' });
  cleanups.push(() => host.shutdown());
  await host.load();
  const sent: GuestEvent[] = [];
  const watcher = watchWorkspace(root, { context: host.context, broadcast: (event) => (sent.push(event), host.broadcast(event)) }, { debounceMs: 100, ...options });
  cleanups.push(() => watcher.close());
  await watcher.ready;
  return { root, host, sent, watcher };
}

/** Waits until `sent` has `count` events, then a quiet second in which no more arrive. */
async function settled(sent: readonly GuestEvent[], count: number): Promise<GuestEvent[]> {
  const deadline = Date.now() + 10_000;
  while (sent.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  await new Promise((r) => setTimeout(r, 1_000));
  return [...sent];
}

describe('watchWorkspace: real file events', () => {
  it('one user edit gives one file_saved, and the plugin\'s own write of index.md is never sent back (no feedback loop)', async () => {
    const { root, sent } = await watched({ 'note.md': 'one' });
    await writeFile(join(root, 'note.md'), 'one two');
    expect(await settled(sent, 1)).toEqual([{ event_type: 'file_saved', payload: { path: 'note.md' } }]);
    // The plugin did write: index.md exists, and a user's later edit of it is an event again.
    await writeFile(join(root, 'index.md'), '# Index, by hand\n');
    expect((await settled(sent, 2)).slice(1)).toEqual([{ event_type: 'file_saved', payload: { path: 'index.md' } }]);
  });

  it('a created, a deleted and a renamed file give file_created, file_deleted and file_moved (§3.5 payloads)', async () => {
    const { root, sent } = await watched({ 'a.md': 'a', 'b.md': 'b', 'index.md': '# Index\n- note.md\n' });
    await writeFile(join(root, 'new.md'), 'new');
    await settled(sent, 1);
    await rm(join(root, 'b.md'));
    await settled(sent, 2);
    await rename(join(root, 'a.md'), join(root, 'renamed.md'));
    expect(await settled(sent, 3)).toEqual([
      { event_type: 'file_created', payload: { path: 'new.md' } },
      { event_type: 'file_deleted', payload: { path: 'b.md' } },
      { event_type: 'file_moved', payload: { new_path: 'renamed.md', old_path: 'a.md' } },
    ]);
  });

  it('a folder renamed moves each file in it', async () => {
    const { root, sent } = await watched({ 'daily/a.md': 'a', 'index.md': '# Index\n- note.md\n' });
    await rename(join(root, 'daily'), join(root, 'journal'));
    expect(await settled(sent, 1)).toEqual([{ event_type: 'file_moved', payload: { new_path: 'journal/a.md', old_path: 'daily/a.md' } }]);
  });

  it('leaves out dot-folders, dot-files and the ignored folders (the plugins folder)', async () => {
    const { root, sent } = await watched({ 'index.md': '# Index\n- note.md\n' }, { ignore: ['plugins-here'] });
    await mkdir(join(root, '.diaryx', 'plugins', 'x'), { recursive: true });
    await writeFile(join(root, '.diaryx', 'plugins', 'x', 'config.json'), '{}');
    await writeFile(join(root, '.hidden.md'), 'x');
    await mkdir(join(root, 'plugins-here'));
    await writeFile(join(root, 'plugins-here', 'plugin.wasm'), 'x');
    await writeFile(join(root, 'seen.md'), 'x');
    expect(await settled(sent, 1)).toEqual([{ event_type: 'file_created', payload: { path: 'seen.md' } }]);
  });

  it('a file a plugin deleted through host_delete_file is not sent as file_deleted', async () => {
    const { root, host, sent } = await watched({ 'old.md': 'old', 'index.md': '# Index\n- note.md\n' });
    await host.run('acme.indexer', 'tidy');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(sent).toEqual([]);
    await writeFile(join(root, 'old.md'), 'back, by hand');
    expect(await settled(sent, 1)).toEqual([{ event_type: 'file_created', payload: { path: 'old.md' } }]);
  });
});

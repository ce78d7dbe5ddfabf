import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { allowAll, denyAll } from '@diaryx/host-fns';
import { removeTempDirs } from '@diaryx/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProbe } from './probe.js';
import { diskWorkspace } from './workspace.js';

afterEach(removeTempDirs);

describe('the host context remembers the workspace changes plugins made (for a file watcher)', () => {
  it.each([false, true])('host_write_file, host_write_binary and host_delete_file record what they changed (worker: %s)', async (runInWorker) => {
    const { root, fs } = await diskWorkspace({ 'old.md': 'bye' });
    const probe = await loadProbe({ fs, permissions: allowAll }, { runInWorker });
    try {
      expect(await probe.call('host_write_file', { path: 'notes/index.md', content: '# Index' })).toBe('');
      expect(await probe.call('host_write_binary', { path: 'pic.bin', content: 'AAEC' })).toBe('');
      expect(await probe.call('host_delete_file', { path: 'old.md' })).toBe('');
      const writes = probe.host.recentWrites;
      const written = await readFile(join(root, 'notes', 'index.md'));
      expect(writes.explains('notes/index.md', written)).toMatchObject({ pluginId: 'probe', path: 'notes/index.md', kind: 'write' });
      expect(writes.explains('pic.bin', new Uint8Array([0, 1, 2]))).toMatchObject({ kind: 'write' });
      expect(writes.explains('old.md', null)).toMatchObject({ pluginId: 'probe', kind: 'delete' });
      // A user's later edit is not the plugin's.
      expect(writes.explains('notes/index.md', new TextEncoder().encode('# Index, by hand'))).toBeNull();
    } finally {
      await probe.plugin.close();
    }
  });

  it('a refused write records nothing', async () => {
    const { fs } = await diskWorkspace({});
    const probe = await loadProbe({ fs, permissions: denyAll });
    try {
      await probe.trap('host_write_file', { path: 'a.md', content: 'x' });
      expect(probe.host.recentWrites.explains('a.md', new TextEncoder().encode('x'))).toBeNull();
    } finally {
      await probe.plugin.close();
    }
  });
});

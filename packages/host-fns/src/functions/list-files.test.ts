import { describe, expect, it } from 'vitest';
import { createHostContext } from '../context.js';
import { allowAll } from '../permissions/basic-checkers.js';
import { createHostFunctions } from '../registry.js';
import type { GuestMemory } from '../runtime/extism-types.js';
import { createPluginHostState } from '../runtime/plugin-state.js';
import type { HostLogger } from '../services/logger.js';
import { memoryWorkspaceFs } from '../services/memory-workspace-fs.js';
import { silentLogger } from '../services/logger.js';
import type { WorkspaceFileSystem } from '../services/workspace-fs.js';
import { decodeUtf8Lossy, encodeUtf8 } from '../util/utf8.js';
import { MAX_LIST_DEPTH } from './list-files.js';

/** Calls host_list_files as the loader would, with a guest memory of two blocks. */
function listFiles(fs: WorkspaceFileSystem, options: { inProcess: boolean; logger?: HostLogger }) {
  const blocks = new Map<bigint, Uint8Array>([[1n, encodeUtf8(JSON.stringify({ prefix: '' }))]]);
  const memory: GuestMemory = {
    read: (handle) => {
      const bytes = blocks.get(handle);
      return bytes ? { bytes: () => bytes } : null;
    },
    store: (data) => (blocks.set(2n, typeof data === 'string' ? encodeUtf8(data) : data), 2n),
  };
  const host = createHostContext({ fs, permissions: allowAll, logger: options.logger ?? silentLogger });
  const state = createPluginHostState('lister', { inProcess: options.inProcess });
  const result = createHostFunctions(host, state)['host_list_files']!(memory, 1n);
  const output = (handle: bigint) => (handle === 0n ? '' : decodeUtf8Lossy(blocks.get(handle)!));
  return { result, output, state };
}

const manyFiles = (count: number) => memoryWorkspaceFs(Object.fromEntries(Array.from({ length: count }, (_, i) => [`n/${i}.md`, ''])));

describe('host_list_files walk (issue 15.5, 15.9)', () => {
  it('in-process: answers synchronously (the guest is blocked on this thread)', () => {
    const { result, output } = listFiles(manyFiles(5000), { inProcess: true });
    expect(typeof result).toBe('bigint');
    expect(JSON.parse(output(result as bigint))).toHaveLength(5001);
  });

  it('worker mode: a long listing hands the event loop back, so timers (the call deadline) fire meanwhile', async () => {
    let fired = false;
    setTimeout(() => (fired = true), 0);
    const { result, output } = listFiles(manyFiles(5000), { inProcess: false });
    expect(result).toBeInstanceOf(Promise);
    expect(fired).toBe(false);
    const handle = await result;
    expect(fired).toBe(true);
    expect(JSON.parse(output(handle))).toHaveLength(5001);
  });

  it('a file system without readDirEntries that loops forever is cut at the depth bound: [] and a warning', () => {
    // Every folder holds itself (a link loop as readDir and isDir see it).
    const looping: WorkspaceFileSystem = { ...memoryWorkspaceFs(), readDir: () => ['loop'], isDir: () => true, readDirEntries: undefined };
    const warnings: Array<[string, unknown]> = [];
    const { result, output } = listFiles(looping, { inProcess: true, logger: { ...silentLogger, warn: (m, fields) => warnings.push([m, fields]) } });
    expect(output(result as bigint)).toBe('[]');
    expect(warnings).toEqual([
      [`[plugin lister] host_list_files '' gave [] (folders nested deeper than ${MAX_LIST_DEPTH})`, { pluginId: 'lister', source: 'host' }],
    ]);
  });

  it('without readDirEntries, one child whose kind cannot be told is left out, not the whole listing', () => {
    const base = memoryWorkspaceFs({ 'a.md': '', 'bad/x.md': '', 'z/y.md': '' });
    const fs: WorkspaceFileSystem = {
      ...base,
      readDirEntries: undefined,
      isDir: (path) => {
        if (path === 'bad') throw new Error("path 'bad' leads outside the workspace");
        return base.isDir(path);
      },
    };
    const { result, output } = listFiles(fs, { inProcess: true });
    expect(JSON.parse(output(result as bigint))).toEqual(['a.md', 'z', 'z/y.md']);
  });
});

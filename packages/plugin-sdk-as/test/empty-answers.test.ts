import { fileURLToPath } from 'node:url';
import { loadTestPlugin } from '@diaryx/testing';
import { describe, expect, it } from 'vitest';

// smoke/empty-answers.ts, compiled by the package's build: the SDK's wrappers read every empty
// host answer (a block of length 0, PROTOCOL §1) as "" (or "absent"), in every loader mode.
const wasm = fileURLToPath(new URL('../build/empty-answers.wasm', import.meta.url));

describe('the AssemblyScript SDK reads the host\'s empty answers as empty', () => {
  it.each(['in-process', 'metered', 'worker'] as const)('%s', async (mode) => {
    const { plugin } = await loadTestPlugin(wasm, { mode, files: { 'empty.md': '' } });
    expect(await plugin.handleCommand('read')).toEqual({
      success: true,
      data: {
        read_file: 0,
        request_file: 0,
        ws_request: 0,
        hash_file: 0,
        write_file: 0,
        delete_file: 0,
        storage_set: 0,
        storage_get: -1,
        secret_get: -1,
      },
    });
  });
});

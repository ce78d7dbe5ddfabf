import { fileURLToPath } from 'node:url';
import { loadTestPlugin } from '@diaryx/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPlugin } from './build.js';

// The host answers "" with a block of length 0 (PROTOCOL §1): the runtime's Memory.find and the
// SDK's wrappers read it as "" (or "absent"), in every loader mode.
let wasm: Uint8Array;
beforeAll(async () => {
  ({ wasm } = await buildPlugin({ entry: fileURLToPath(new URL('../test/fixtures/empty-answers.ts', import.meta.url)) }));
}, 120_000);

describe('the TypeScript SDK reads the host\'s empty answers as empty', () => {
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

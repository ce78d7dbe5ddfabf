import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { inspectPlugin } from './inspect.js';

const here = dirname(fileURLToPath(import.meta.url));
const example = (name: string) => join(here, '..', '..', '..', 'examples', name, 'build', 'plugin.wasm');

describe('diaryx-plugin inspect: the host functions a plugin uses', () => {
  it('lists the ones a js-runtime plugin’s code references, not the runtime’s 31 imports', async () => {
    const report = await inspectPlugin(example('word-count-ts'));
    expect(report.hostImports).toHaveLength(31);
    expect(report.referencedHostFunctions).toEqual(['host_emit_event', 'host_list_files', 'host_read_file']);
  });

  it('has no such list for a native plugin, whose imports are what it uses', async () => {
    const report = await inspectPlugin(example('word-count'));
    expect(report.referencedHostFunctions).toBeNull();
    expect(report.hostImports).toEqual(['host_read_file', 'host_list_files', 'host_emit_event']);
  });
});

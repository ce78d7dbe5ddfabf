// The hook replay hangs on the registry: an answer source replaces host-function bodies while
// the registry keeps doing everything around them (input, guest memory, traps, denials for the
// observer). The recorder hook is tested through the loader's record option (loader package).
import { type HostCallAnswerSource, memoryWorkspaceFs } from '@diaryx/host-fns';
import { describe, expect, it } from 'vitest';
import { loadProbe } from './probe.js';

describe('an answer source (replay)', () => {
  it('answers in place of the host function, through the registry: output, denial and trap', async () => {
    const asked: string[] = [];
    const answers: HostCallAnswerSource = (call) => {
      asked.push(`${call.fn} ${call.inputPreview()}`);
      if (call.fn === 'host_read_file') return { output: 'from the trace' };
      if (call.fn === 'host_file_exists') return { output: 'false', denied: 'Permission denied (recorded)' };
      if (call.fn === 'host_storage_get') return { trap: 'host_storage_get: recorded trap' };
      return undefined;
    };
    const probe = await loadProbe({ fs: memoryWorkspaceFs({ 'a.md': 'real' }), answers });
    expect(await probe.call('host_read_file', { path: 'a.md' })).toBe('from the trace');
    expect(await probe.call('host_file_exists', { path: 'a.md' })).toBe('false');
    expect(await probe.trap('host_storage_get', { key: 'k' })).toContain('host_storage_get: recorded trap');
    // undefined: the real function runs.
    expect(await probe.call('host_get_timestamp', '')).toMatch(/^\d+$/);
    expect(asked).toEqual(['host_read_file {"path":"a.md"}', 'host_file_exists {"path":"a.md"}', 'host_storage_get {"key":"k"}', 'host_get_timestamp ']);
    expect(probe.calls.map((c) => [c.name, c.outcome, c.message ?? null])).toEqual([
      ['host_read_file', 'ok', null],
      ['host_file_exists', 'denied', 'Permission denied (recorded)'],
      ['host_storage_get', 'trap', 'host_storage_get: recorded trap'],
      ['host_get_timestamp', 'ok', null],
    ]);
  });
});

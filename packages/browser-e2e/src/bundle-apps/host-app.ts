// The same page on createPluginHost.
import { allowAll, createHostContext, memoryWorkspaceFs } from '@diaryx/host-fns';
import { createPluginHost } from '@diaryx/loader';

export async function countWords(bytes: Uint8Array): Promise<unknown> {
  const plugins = createPluginHost({
    host: createHostContext({ fs: memoryWorkspaceFs({ 'notes/today.md': 'one two' }), permissions: allowAll }),
    plugins: [{ name: 'word-count', wasm: bytes }],
  });
  await plugins.load();
  return plugins.run('diaryx.example.word-count', 'word-count', { path: 'notes/today.md' });
}

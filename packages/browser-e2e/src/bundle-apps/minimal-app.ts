// A web page's plugin host with an in-memory workspace, no frontmatter: what the bundle-size test measures.
import { allowAll, createHostContext, memoryWorkspaceFs } from '@diaryx/host-fns';
import { loadPluginFromBytes } from '@diaryx/loader';

export async function countWords(bytes: Uint8Array): Promise<unknown> {
  const host = createHostContext({ fs: memoryWorkspaceFs({ 'notes/today.md': 'one two' }), permissions: allowAll });
  const plugin = await loadPluginFromBytes(bytes, host);
  return plugin.handleCommand('word-count', { path: 'notes/today.md' });
}

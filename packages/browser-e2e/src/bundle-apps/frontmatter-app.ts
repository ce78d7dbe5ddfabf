// A page whose permissions come from the root index: it needs the frontmatter modules (and YAML).
import { createHostContext, frontmatterChecker, memoryWorkspaceFs } from '@diaryx/host-fns';
import { loadPluginFromBytes } from '@diaryx/loader';

export async function countWords(bytes: Uint8Array): Promise<unknown> {
  const fs = memoryWorkspaceFs({ 'README.md': '---\ncontents: []\n---\n' });
  const plugin = await loadPluginFromBytes(bytes, createHostContext({ fs, permissions: frontmatterChecker(fs) }));
  return plugin.handleCommand('word-count', { path: 'README.md' });
}

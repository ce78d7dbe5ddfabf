// The plugin of docs/first-plugin.md: it keeps an index of the #tags of your notes, updated on
// every save, and answers `tags.list`. Built and tested by packages/js-runtime/test/docs-examples.test.ts.
// #region plugin
import { definePlugin, log, readFile, storageGetJson, storageSetJson } from '@diaryx/js-runtime/sdk';

type TagIndex = Record<string, string[]>; // tag → the notes that use it

function tagsOf(text: string): string[] {
  return [...new Set([...text.matchAll(/(?:^|\s)#([\p{L}\p{N}_-]+)/gu)].map((m) => m[1]!.toLowerCase()))];
}

export const { manifest, handle_command, on_event, init, set_config, get_config } = definePlugin<{ 'tags.list': { tag?: string } }>({
  manifest: {
    id: 'com.example.tag-index',
    name: 'Tag index',
    version: '0.1.0',
    description: 'Lists the #tags of your notes',
    capabilities: ['file_events'],
    requested_permissions: {
      defaults: { read_files: { include: ['all'], exclude: [] }, plugin_storage: { include: ['all'], exclude: [] } },
      reasons: { read_files: 'to read the tags of the notes you save', plugin_storage: 'to keep the tag index' },
    },
  },
  commands: {
    'tags.list': (params) => {
      const index = storageGetJson<TagIndex>('index', {});
      return params.tag === undefined ? Object.keys(index).sort() : (index[params.tag] ?? []);
    },
  },
  onEvent: (event) => {
    if (event.event_type !== 'file_saved' && event.event_type !== 'file_created') return;
    const path = String(event.payload.path ?? '');
    if (!path.endsWith('.md')) return;
    const text = readFile(path);
    if (!text.ok) return log('warn', `cannot read ${path}: ${text.error}`);
    const index = storageGetJson<TagIndex>('index', {});
    for (const tag of Object.keys(index)) index[tag] = index[tag]!.filter((p) => p !== path);
    for (const tag of tagsOf(text.value)) index[tag] = [...(index[tag] ?? []), path];
    storageSetJson('index', Object.fromEntries(Object.entries(index).filter(([, paths]) => paths.length > 0)));
  },
});
// #endregion plugin

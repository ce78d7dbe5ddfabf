// The plugin of docs/events.md: it keeps the last event of each type it received, payload and all.
// Built and tested by packages/js-runtime/test/docs-examples.test.ts.
// #region plugin
import { definePlugin, storageGetJson, storageSetJson } from '@diaryx/js-runtime/sdk';

export const { manifest, handle_command, on_event, init, set_config, get_config } = definePlugin<{ 'events.last': Record<string, never> }>({
  manifest: {
    id: 'com.example.event-log',
    name: 'Event log',
    version: '0.1.0',
    description: 'Remembers the last event of each type',
    capabilities: ['file_events', 'workspace_events'],
    requested_permissions: { defaults: { plugin_storage: { include: ['all'], exclude: [] } }, reasons: { plugin_storage: 'to keep the events it saw' } },
  },
  commands: { 'events.last': () => storageGetJson<Record<string, unknown>>('last', {}) },
  onEvent: (event) => {
    // file_moved: {old_path, new_path}; workspace_changed: {changed_paths, workspace_root}; the others: {path} or {workspace_root}.
    storageSetJson('last', { ...storageGetJson<Record<string, unknown>>('last', {}), [event.event_type]: event.payload });
  },
});
// #endregion plugin

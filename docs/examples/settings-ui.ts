// The plugin of docs/manifest.md: a word goal with a settings tab, a command palette item and a
// status bar item. Built and tested by packages/js-runtime/test/docs-examples.test.ts.
// #region plugin
import { CommandError, configValue, definePlugin, readFile } from '@diaryx/js-runtime/sdk';

export const { manifest, handle_command, on_event, init, set_config, get_config } = definePlugin<{ progress: { path: string } }, { goal: number; unit: string; hide_done: boolean }>({
  manifest: {
    id: 'com.example.word-goal',
    name: 'Word goal',
    version: '0.1.0',
    description: 'How far a note is from its word goal',
    capabilities: [],
    ui: [
      {
        slot: 'SettingsTab',
        id: 'word-goal',
        label: 'Word goal',
        fields: [
          { type: 'Section', label: 'Goal', description: 'What a note should reach' },
          { type: 'Number', key: 'goal', label: 'Words per note', min: 1, max: 100000 },
          { type: 'Select', key: 'unit', label: 'Count', options: [{ value: 'words', label: 'Words' }, { value: 'characters', label: 'Characters' }] },
          { type: 'Toggle', key: 'hide_done', label: 'Hide when reached', description: 'No status once the goal is met' },
          { type: 'Button', label: 'Check this note', command: 'progress' },
        ],
      },
      { slot: 'CommandPaletteItem', id: 'word-goal.progress', label: 'Word goal: progress', plugin_command: 'progress' },
      { slot: 'StatusBarItem', id: 'word-goal.status', label: 'Goal', position: 'Right', plugin_command: 'progress' },
    ],
    requested_permissions: {
      defaults: { read_files: { include: ['all'], exclude: [] } },
      reasons: { read_files: 'to count the words of the note you check' },
    },
  },
  commands: {
    progress: (params) => {
      const file = readFile(params.path ?? '');
      if (!file.ok) throw new CommandError(file.error);
      // The settings tab's fields are the config's keys: the app saves them, set_config brings them.
      const goal = configValue<number>('goal', 500);
      const unit = configValue<string>('unit', 'words');
      const count = unit === 'characters' ? file.value.length : file.value.split(/\s+/).filter(Boolean).length;
      return { count, goal, left: Math.max(0, goal - count) };
    },
  },
});
// #endregion plugin

// The plugin of docs/bug-report-to-test.md: `stats` counts the words of a note. Its two versions
// differ only in how they count (note-stats-1.0.ts has the bug, note-stats.ts the fix). Built
// and tested by packages/js-runtime/test/docs-examples.test.ts.
import { definePlugin, readFile } from '@diaryx/js-runtime/sdk';

/** The plugin, at `version`, counting words with `countWords`. */
export function noteStatsPlugin(version: string, countWords: (text: string) => number) {
  return definePlugin<{ stats: { path: string } }>({
    manifest: {
      id: 'com.example.note-stats',
      name: 'Note stats',
      version,
      description: 'Counts the words of a note',
      capabilities: [],
      requested_permissions: { defaults: { read_files: { include: ['all'], exclude: [] } }, reasons: { read_files: 'to count the words of your notes' } },
    },
    commands: {
      stats: (params) => {
        const path = params.path ?? '';
        const text = readFile(path);
        if (!text.ok) throw new Error(`cannot read ${path}: ${text.error}`);
        return { words: countWords(text.value) };
      },
    },
  });
}

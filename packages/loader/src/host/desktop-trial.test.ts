// Issue 26's "done when": an app built only on the public API (docs/examples/desktop-host.ts)
// reproduces the trial in a child process: the five example plugins (built by the build) and a
// broken one in a real workspace folder, permissions from the root index, file events from a
// watcher without a feedback loop, a reload when a wasm changes, a crash and a timeout seen as
// lifecycle events, a shutdown in reverse load order, and the process exiting by itself within
// 500 ms of it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runUntilExit } from '../test-support/exit-delay.js';

const script = fileURLToPath(new URL('../test-support/desktop-trial.ts', import.meta.url));
const examples = fileURLToPath(new URL('../../../../examples/', import.meta.url));

interface TrialReport {
  loaded: string[];
  loadOrder: string[];
  hookPosts: unknown[];
  eventCalls: number;
  brokenWritten: string | null;
  emitted: Array<{ pluginId: string; event: { event_type: string; payload: { path?: string } } }>;
  daily: unknown;
  tour: string;
  asked: string[];
  crash: string;
  hang: string;
  reloaded: boolean;
  counted: unknown;
  notified: string[];
  lifecycle: string[];
}

async function runTrial(): Promise<{ report: TrialReport; exitMs: number; code: number | null; stderr: string }> {
  const { ms, stdout, stderr, code } = await runUntilExit(script);
  const line = stdout.split('\n').find((l) => l.startsWith('{'));
  if (line === undefined) throw new Error(`the trial printed no report (exit ${code}):\n${stdout}\n${stderr}`);
  return { report: JSON.parse(line) as TrialReport, exitMs: ms, code, stderr };
}

describe('the trial of issue 26, as an app on createPluginHost', () => {
  it(
    'five examples and a broken plugin: root-index permissions, watcher events without a loop, reload, crash and timeout events, reverse shutdown, prompt exit',
    async () => {
      if (!existsSync(`${examples}word-count-ts/build/plugin.wasm`)) throw new Error('the example plugins are not built: run `npx turbo run build` (or `npm test` at the root)');
      const { report, exitMs, code, stderr } = await runTrial();
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const ids = ['acme.broken', 'diaryx.example.contents', 'diaryx.example.daily', 'diaryx.example.webhook', 'diaryx.example.word-count', 'diaryx.example.word-count-ts'];
      expect(report.loaded).toEqual(ids.map((id) => `${id} loaded`));

      // One edit of notes/today.md: one file_saved to each plugin (the broken one heard it once
      // and wrote broken.md, which was never sent back), one webhook post over HTTP.
      expect(report.eventCalls).toBe(1);
      expect(report.brokenWritten).toBe('seen an event\n');
      expect(report.hookPosts).toEqual([{ path: 'notes/today.md', words: 4 }]);
      expect(report.emitted.map((e) => `${e.pluginId} ${e.event.event_type} ${e.event.payload.path}`).sort()).toEqual([
        'diaryx.example.webhook webhook_sent notes/today.md',
        'diaryx.example.word-count word_count_updated notes/today.md',
        'diaryx.example.word-count-ts word_count_updated notes/today.md',
      ]);

      // Permissions from the root index: daily may create its note; contents' tour needs
      // create_files, which the index does not grant: the user is asked (and says no).
      expect(report.daily).toMatchObject({ created: true, path: expect.stringMatching(/^Daily\//) });
      expect(report.asked).toEqual([expect.stringMatching(/^diaryx\.example\.contents create_files .*tour\/a\.md$/)]);
      expect(report.tour).toMatch(/^host_trap: .*the user said no when asked/);

      // A crash and a timeout, each a lifecycle event with a message for the UI.
      expect(report.crash).toBe('trap: The plugin "Broken" crashed while handling this request.');
      expect(report.hang).toBe('timeout: The plugin "Broken" took longer than 1500 ms and was stopped.');
      expect(report.notified).toEqual(['The plugin "Broken" crashed while handling this request.', 'The plugin "Broken" took longer than 1500 ms and was stopped.']);

      // A reload when word-count's plugin.wasm changed; it answers afterwards.
      expect(report.reloaded).toBe(true);
      expect(report.counted).toMatchObject({ path: 'notes/today.md', counts: { words: 4 } });

      // The events in order, the shutdown in reverse load order, then closed.
      expect(report.lifecycle).toEqual([
        'crashed acme.broken',
        'timeout acme.broken',
        'unloaded diaryx.example.word-count',
        'reloaded diaryx.example.word-count',
        ...[...report.loadOrder].reverse().map((id) => `unloaded ${id}`),
        'closed',
      ]);
      expect(report.loadOrder).toEqual(ids);

      // Nothing is left running: the process ends by itself.
      expect(exitMs).toBeLessThan(500);
    },
    120_000,
  );
});

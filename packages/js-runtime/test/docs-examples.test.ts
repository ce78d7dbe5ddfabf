// Builds and runs the examples of the guide in docs/ (docs/examples/*.ts), and checks that every
// fenced code block of docs/*.md is a region of a file that a test builds and runs (snippet sync).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { guestEvents } from '@diaryx/loader';
import { loadTestPlugin, parseTrace, replayTrace } from '@diaryx/testing';
import '@diaryx/testing/vitest';
import { beforeAll, describe, expect, it } from 'vitest';
import { openWorkspace, tagsOfFolder } from '../../../docs/examples/host-node.js';
import { openStats, reportProblem } from '../../../docs/examples/record-node.js';
import { buildPlugin } from '../src/build.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const docs = join(repo, 'docs');
let tagIndex: Uint8Array;
let hostFunctions: Uint8Array;
let settingsUi: Uint8Array;
let eventLog: Uint8Array;
beforeAll(async () => {
  tagIndex = (await buildPlugin({ entry: join(docs, 'examples', 'tag-index.ts') })).wasm;
  hostFunctions = (await buildPlugin({ entry: join(docs, 'examples', 'host-functions.ts') })).wasm;
  settingsUi = (await buildPlugin({ entry: join(docs, 'examples', 'settings-ui.ts') })).wasm;
  eventLog = (await buildPlugin({ entry: join(docs, 'examples', 'event-log.ts') })).wasm;
}, 240_000);

describe('docs: your first plugin', () => {
  // #region first-test
  it('indexes the tags of saved notes', async () => {
    const { plugin } = await loadTestPlugin(tagIndex, { files: { 'a.md': 'Met #Ada about #work', 'b.md': 'more #work' } });
    await plugin.onEvent({ event_type: 'file_saved', payload: { path: 'a.md' } });
    await plugin.onEvent({ event_type: 'file_saved', payload: { path: 'b.md' } });
    expect(await plugin.handleCommand('tags.list', {})).toEqual({ success: true, data: ['ada', 'work'] });
    expect(await plugin.handleCommand('tags.list', { tag: 'work' })).toEqual({ success: true, data: ['a.md', 'b.md'] });
  });
  // #endregion first-test
});

describe('docs: host functions by task', () => {
  it('runs each example', async () => {
    const { plugin, host } = await loadTestPlugin(hostFunctions, {
      files: { 'journal/a.md': 'one' },
      config: { greeting: 'Hi' },
      http: { 'GET http://127.0.0.1:9/status': { status: 204 } },
    });
    expect(await plugin.handleCommand('read-notes', {})).toEqual({ success: true, data: { notes: ['journal/a.md'], first: 'one' } });
    expect(await plugin.handleCommand('write-note', {})).toEqual({ success: true, data: { written: true } });
    expect(host.events.map((e) => (e.json as { event_type?: string } | null)?.event_type)).toContain('note_written');
    expect((await plugin.handleCommand('storage', {})).data).toBe(1);
    expect((await plugin.handleCommand('storage', {})).data).toBe(2);
    expect((await plugin.handleCommand('storage', {})).data).toBe(3);
    expect((await plugin.handleCommand('storage', {})).data).toBe(1);
    expect(await plugin.handleCommand('config', {})).toEqual({ success: true, data: 'Hi' });
    expect(await plugin.handleCommand('http', {})).toEqual({ success: true, data: 204 });
  });
});

describe('docs: the manifest and UI', () => {
  // #region settings-test
  it('shows its settings tab, palette item and status item, and reads the settings', async () => {
    const { plugin } = await loadTestPlugin(settingsUi, { files: { 'a.md': 'one two three' }, config: { goal: 5 } });
    // The core manifest is what the app shows: every element kept, nothing dropped.
    expect(plugin.coreManifest.ui.map((element) => element.slot)).toEqual(['SettingsTab', 'CommandPaletteItem', 'StatusBarItem']);
    expect(plugin.warnings).toEqual([]);
    expect(await plugin.handleCommand('progress', { path: 'a.md' })).toEqual({ success: true, data: { count: 3, goal: 5, left: 2 } });
    await plugin.setConfig({ goal: 5, unit: 'characters' });
    expect(await plugin.handleCommand('progress', { path: 'a.md' })).toEqual({ success: true, data: { count: 13, goal: 5, left: 0 } });
  });
  // #endregion settings-test
});

describe('docs: events', () => {
  // #region events-test
  it('receives each event with its payload', async () => {
    const { plugin, host } = await loadTestPlugin(eventLog);
    // host.sampleEvents: one event of each of the eight types, as the app sends them.
    for (const event of host.sampleEvents) await plugin.onEvent(event);
    await plugin.onEvent(guestEvents.fileMoved('old/a.md', 'new/a.md'));
    const last = (await plugin.handleCommand('events.last')).data as Record<string, unknown>;
    expect(Object.keys(last).sort()).toEqual([
      'file_created', 'file_deleted', 'file_moved', 'file_saved', 'workspace_changed', 'workspace_closed', 'workspace_committed', 'workspace_opened',
    ]);
    expect(last['file_moved']).toEqual({ new_path: 'new/a.md', old_path: 'old/a.md' });
    expect(last['workspace_opened']).toEqual({ workspace_root: '/workspace' });
  });
  // #endregion events-test
});

describe('docs: hosting plugins in a Node app', () => {
  it('runs the example against a real folder', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'diaryx-docs-'));
    writeFileSync(join(workspace, 'a.md'), 'a #note');
    const wasmPath = join(workspace, 'plugin.wasm');
    writeFileSync(wasmPath, tagIndex);
    expect(await tagsOfFolder(wasmPath, workspace)).toEqual({ success: true, data: ['note'] });
  });

  it('opens a workspace with the services Rust ships: the plugin\'s storage lands in .diaryx/plugin-state', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'diaryx-docs-'));
    writeFileSync(join(workspace, 'README.md'), '---\ncontents: []\nplugins:\n  com.example.tag-index:\n    permissions:\n      read_files: { include: ["all"] }\n---\n');
    writeFileSync(join(workspace, 'a.md'), 'a #note');
    mkdirSync(join(workspace, '.diaryx', 'plugins', 'com.example.tag-index'), { recursive: true });
    writeFileSync(join(workspace, '.diaryx', 'plugins', 'com.example.tag-index', 'plugin.wasm'), tagIndex);
    const { plugins, close } = await openWorkspace(workspace);
    try {
      await plugins[0]!.onEvent({ event_type: 'file_saved', payload: { path: 'a.md' } });
      expect(await plugins[0]!.handleCommand('tags.list', {})).toEqual({ success: true, data: ['note'] });
      expect(readdirSync(join(workspace, '.diaryx', 'plugin-state'))).toEqual(['com.example.tag-index_index.bin']);
    } finally {
      await close();
    }
  });
});

describe('docs: from a bug report to a failing test', () => {
  let noteStats: Uint8Array; // 1.0.1, the fix
  let reportedTrace: string; // recorded by the app from 1.0.0, the bug
  let shipped: Uint8Array;
  beforeAll(async () => {
    shipped = (await buildPlugin({ entry: join(docs, 'examples', 'note-stats-1.0.ts') })).wasm;
    noteStats = (await buildPlugin({ entry: join(docs, 'examples', 'note-stats.ts') })).wasm;
    // The user's app, on the user's machine: a note written with line breaks.
    const workspace = mkdtempSync(join(tmpdir(), 'diaryx-docs-bug-'));
    mkdirSync(join(workspace, 'notes'));
    writeFileSync(join(workspace, 'notes', 'today.md'), 'Rain.\nWrote the\nreport.');
    const wasmPath = join(workspace, 'plugin.wasm');
    writeFileSync(wasmPath, shipped);
    const plugin = await openStats(wasmPath, workspace);
    expect(await plugin.handleCommand('stats', { path: 'notes/today.md' })).toEqual({ success: true, data: { words: 2 } });
    await reportProblem(plugin, join(workspace, 'bug.trace.json'));
    await plugin.close();
    reportedTrace = readFileSync(join(workspace, 'bug.trace.json'), 'utf8');
  }, 180_000);

  it('the trace replays identically against the plugin that had the bug, and a changed plugin diverges', async () => {
    expect(await replayTrace(shipped, reportedTrace)).toMatchTrace();
    const fixed = await replayTrace(noteStats, reportedTrace);
    expect(fixed.divergence).toMatchObject({ kind: 'output', path: 'data.words', recorded: '{"success":true,"data":{"words":2}}', replayed: '{"success":true,"data":{"words":4}}' });
  });

  it('the test with the corrected expectation fails against the plugin with the bug', async () => {
    const red = await replayTrace(shipped, parseTrace(reportedTrace), { expect: { 0: { success: true, data: { words: 4 } } } });
    expect(red.divergence).toMatchObject({ kind: 'output', path: 'data.words' });
    expect(() => expect(red).toMatchTrace()).toThrow(/the output differs at data\.words/);
  });

  // #region bug-test
  it('counts the words of the note in the bug report', async () => {
    const trace = parseTrace(reportedTrace);
    const replay = await replayTrace(noteStats, trace, {
      expect: {
        // call 0: handle_command {"command":"stats","params":{"path":"notes/today.md"}}
        0: { success: true, data: { words: 4 } }, // recorded: 2, the bug the user reported
      },
    });
    expect(replay).toMatchTrace();
  });
  // #endregion bug-test
});

/** `#region name` … `#endregion name` of a file, dedented. */
function region(file: string, name: string): string {
  const lines = readFileSync(join(repo, file), 'utf8').split('\n');
  const start = lines.findIndex((l) => l.trim() === `// #region ${name}`);
  const end = lines.findIndex((l, i) => i > start && l.trim() === `// #endregion ${name}`);
  if (start < 0 || end < 0) throw new Error(`${file} has no region ${name}`);
  const body = lines.slice(start + 1, end);
  const indent = Math.min(...body.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  return body.map((l) => l.slice(indent)).join('\n');
}

describe('docs: snippet sync', () => {
  const pages = readdirSync(docs).filter((f) => f.endsWith('.md'));
  it('has pages', () => expect(pages.length).toBeGreaterThanOrEqual(9));
  it.each(pages)('every code block of %s is a region of a tested file (shell commands aside)', (page) => {
    const text = readFileSync(join(docs, page), 'utf8');
    const blocks = [...text.matchAll(/(?:<!-- snippet: (\S+)#(\S+) -->\n)?```(\w*)\n([^]*?)\n```/g)];
    for (const [, file, name, language, body] of blocks) {
      if (language === 'sh') continue;
      expect(file, `a ${language} block of ${page} has no <!-- snippet: file#region --> line:\n${body}`).toBeDefined();
      expect(body, `${page}: ${file}#${name}`).toBe(region(file!, name!));
    }
  });
});

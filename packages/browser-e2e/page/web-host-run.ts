// The web page of docs/hosting.md (docs/examples/web-host.ts) in this browser: word-count and
// the test's misbehaving plugin on createPluginHost, an event to both, a command, a crash, a
// timeout, and the shutdown.
import { memoryWorkspaceFs } from '@diaryx/host-fns';
import { guestEvents } from '@diaryx/loader';
import wordCountUrl from '@diaryx-examples/word-count/plugin.wasm?url';
import { openWebHost } from '../../../docs/examples/web-host.js';
import type { WebHostReport } from './report.js';

export async function webHostRun(spinBytes: Uint8Array): Promise<WebHostReport> {
  const spinUrl = URL.createObjectURL(new Blob([spinBytes as Uint8Array<ArrayBuffer>], { type: 'application/wasm' }));
  const asked: string[] = [];
  const notified: string[] = [];
  const emitted: string[] = [];
  try {
    const plugins = await openWebHost(
      memoryWorkspaceFs({ 'notes/today.md': 'one two three' }),
      [wordCountUrl, spinUrl],
      {
        ask: ({ pluginId, permission }) => (asked.push(`${pluginId} ${permission}`), false),
        notify: (text) => notified.push(text),
        pluginEvent: (pluginId, text) => emitted.push(`${pluginId} ${text}`),
      },
      1_000,
    );
    const lifecycle: string[] = [];
    for (const type of ['crashed', 'timeout', 'unloaded', 'closed'] as const) {
      plugins.addEventListener(type, (event) => {
        const detail = event.detail as { id?: string; pluginId?: string };
        lifecycle.push(`${type} ${detail.id ?? detail.pluginId ?? ''}`.trim());
      });
    }
    const loaded = [...plugins.plugins.values()].map((p) => `${p.id} ${p.state} ${p.plugin?.runtime.mode ?? ''}`.trim());
    const outcomes = await plugins.broadcast(guestEvents.fileSaved('notes/today.md'));
    const broadcast = Object.fromEntries([...outcomes].map(([id, outcome]) => [id, outcome.ok ? 'ok' : outcome.error.kind]));
    const count = await plugins.run('diaryx.example.word-count', 'word-count', { path: 'notes/today.md' });
    const failure = (error: { kind: string; userMessage: string }) => `${error.kind}: ${error.userMessage}`;
    const crash = await plugins.run('spin', 'crash').then(() => 'no error', failure);
    const hang = await plugins.run('spin', 'hang').then(() => 'no error', failure);
    await plugins.shutdown();
    return { ok: true, loaded, broadcast, count, crash, hang, asked, notified, emitted, lifecycle };
  } catch (error) {
    const { name, message } = error as Error;
    return { ok: false, error: { name, message, kind: (error as { kind?: string }).kind ?? null } };
  } finally {
    URL.revokeObjectURL(spinUrl);
  }
}

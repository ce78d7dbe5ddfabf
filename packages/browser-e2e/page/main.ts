// A browser app's whole plugin host: the portable loader, an in-memory workspace, recorded events.
import { allowAll, createHostContext, memoryWorkspaceFs } from '@diaryx/host-fns';
import { loadPluginFromBytes } from '@diaryx/loader';
import wasmUrl from '@diaryx-examples/word-count/plugin.wasm?url';
import type { PageReport, RunReport } from './report.js';

async function run(runInWorker: boolean): Promise<RunReport> {
  const events: Array<{ pluginId: string; event: unknown }> = [];
  const host = createHostContext({
    fs: memoryWorkspaceFs({ 'notes/today.md': 'Grüße aus dem Browser, one two three', 'notes/other.md': 'four five' }),
    permissions: allowAll,
    events: { emit: (text, pluginId) => void events.push({ pluginId, event: JSON.parse(text) as unknown }) },
  });
  const bytes = new Uint8Array(await (await fetch(wasmUrl)).arrayBuffer());
  try {
    const plugin = await loadPluginFromBytes(bytes, host, { runInWorker });
    try {
      await plugin.init({ workspace_root: null });
      const command = await plugin.handleCommand('word-count', { path: 'notes/today.md' });
      await plugin.onEvent({ event_type: 'file_saved', payload: { path: 'notes/other.md' } });
      return { ok: true, pluginId: plugin.id, command, events };
    } finally {
      await plugin.close();
    }
  } catch (error) {
    const { name, message } = error as Error;
    return { ok: false, error: { name, message, kind: (error as { kind?: string }).kind ?? null } };
  }
}

const status = document.querySelector('#status')!;
const report: PageReport = {
  crossOriginIsolated: globalThis.crossOriginIsolated,
  inProcess: await run(false),
  worker: await run(true),
};
document.querySelector('#result')!.textContent = JSON.stringify(report, null, 2);
status.textContent = 'done';

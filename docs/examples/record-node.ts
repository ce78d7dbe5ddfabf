// The app's side of docs/bug-report-to-test.md: a Node app that runs a plugin with recording
// on, and saves the plugin's last calls when a user reports a problem. Run by
// packages/js-runtime/test/docs-examples.test.ts.
// #region record-node
import { readFile, writeFile } from 'node:fs/promises';
import { createHostContext, nodeWorkspaceFs, rulesChecker } from '@diaryx/host-fns';
import { type LoadedPlugin, loadPluginFromBytes } from '@diaryx/loader';

export async function openStats(wasmPath: string, workspace: string): Promise<LoadedPlugin> {
  const host = createHostContext({
    fs: nodeWorkspaceFs(workspace),
    permissions: rulesChecker({ 'com.example.note-stats': { permissions: { read_files: { include: ['all'], exclude: [] } } } }),
  });
  // Keep the plugin's last 50 calls (host calls, outputs, errors) in memory, secrets redacted.
  return loadPluginFromBytes(new Uint8Array(await readFile(wasmPath)), host, { record: { calls: 50 } });
}

/** The user pressed "Report a problem": the trace goes with the report. */
export async function reportProblem(plugin: LoadedPlugin, tracePath: string): Promise<void> {
  await writeFile(tracePath, JSON.stringify(plugin.takeRecording(), null, 2));
}
// #endregion record-node

// The TypeScript examples of docs/host-functions.md, one region per task. Built and run by
// packages/js-runtime/test/docs-examples.test.ts (each command runs one region).
import { CommandError, config, definePlugin, emitEvent, fileExists, hostHttpRequest, listFiles, readFile, storageDelete, storageGetJson, storageSetJson, writeFile } from '@diaryx/js-runtime/sdk';

function readNotes(): unknown {
  // #region read-notes
  const notes = listFiles('journal').filter((path) => path.endsWith('.md'));
  const first = notes.length > 0 ? readFile(notes[0]!) : null;
  if (first !== null && !first.ok) throw new CommandError(first.error, 'read_failed');
  // #endregion read-notes
  return { notes, first: first?.ok ? first.value : null };
}

function writeNote(): unknown {
  // #region write-note
  const path = 'journal/today.md';
  const problem = writeFile(path, '# Today\n');
  if (problem !== '') throw new CommandError(problem, 'write_failed');
  emitEvent({ event_type: 'note_written', payload: { path } });
  // #endregion write-note
  return { written: fileExists(path) };
}

function keepState(): unknown {
  // #region storage
  const runs = storageGetJson<number>('runs', 0) + 1;
  storageSetJson('runs', runs);
  if (runs > 2) storageDelete('runs'); // the next storageGetJson gives the fallback again
  // #endregion storage
  return runs;
}

function settings(): unknown {
  // #region config
  // The host pushes the config through set_config (definePlugin keeps it); Config.get is always null.
  const greeting = config<{ greeting: string }>()?.greeting ?? 'Hello';
  // #endregion config
  return greeting;
}

function fetchStatus(): unknown {
  // #region http
  // Needs the permission http_requests for the host (Extism's Http.request is denied in Diaryx).
  const response = hostHttpRequest({ url: 'http://127.0.0.1:9/status', method: 'GET', timeout_ms: 2_000 });
  if (response.status === 0) throw new CommandError(`request failed: ${response.body}`, 'http_failed');
  // #endregion http
  return response.status;
}

export const { manifest, handle_command, on_event, init, set_config, get_config } = definePlugin({
  manifest: {
    id: 'com.example.docs-host-functions',
    name: 'Docs examples',
    version: '0.1.0',
    description: 'the examples of the docs',
    capabilities: [],
    // What the examples use: the fake host, like the app, grants exactly what is requested.
    requested_permissions: {
      defaults: {
        read_files: { include: ['all'], exclude: [] },
        create_files: { include: ['all'], exclude: [] },
        edit_files: { include: ['all'], exclude: [] },
        plugin_storage: { include: ['all'], exclude: [] },
        http_requests: { include: ['127.0.0.1'], exclude: [] },
      },
    },
  },
  commands: { 'read-notes': readNotes, 'write-note': writeNote, storage: keepState, config: settings, http: fetchStatus },
});

import { commandRequest, emitEvent, err, guestEvent, listFiles, ok, outputManifest, readFile } from '@diaryx/js-runtime/sdk';
import { addCounts, type Counts, countText } from './count.js';

export function manifest(): number {
  return outputManifest({
    id: 'diaryx.example.word-count-ts',
    name: 'Word Count (TypeScript)',
    version: '0.1.0',
    description: 'Counts words, characters and lines of a note or of the whole workspace',
    capabilities: ['file_events', 'custom_commands'],
    commands: ['word-count'],
    requested_permissions: {
      defaults: { read_files: { include: ['all'], exclude: [] } },
      reasons: { read_files: 'to count the words of your notes' },
    },
  });
}

function countWorkspace(): Counts {
  const total: Counts = { characters: 0, lines: 0, words: 0 };
  for (const path of listFiles('')) {
    if (!path.endsWith('.md')) continue;
    const file = readFile(path);
    if (file.ok) addCounts(total, countText(file.value));
  }
  return total;
}

export function handle_command(): number {
  const request = commandRequest<{ path?: unknown }>();
  if (request.command !== 'word-count') return err(`unknown command: ${request.command}`);
  const path = typeof request.params?.path === 'string' ? request.params.path : '';
  if (path === '') return ok({ scope: 'workspace', counts: countWorkspace() });
  const file = readFile(path);
  if (!file.ok) return err(`cannot read ${path}: ${file.error}`);
  return ok({ path, counts: countText(file.value) });
}

export function on_event(): number {
  const event = guestEvent<{ path: string }>();
  if (event.event_type !== 'file_saved') return 0;
  const path = typeof event.payload.path === 'string' ? event.payload.path : '';
  const file = readFile(path);
  if (path === '' || !file.ok) return 0;
  emitEvent({ event_type: 'word_count_updated', payload: { path, words: countText(file.value).words } });
  return 0;
}

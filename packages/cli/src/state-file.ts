// The state file of `diaryx-plugin run --storage` and `diaryx-plugin dev`: the plugin's storage
// and config, loaded at start and saved at the end, so state persists between runs and reloads.
// Values that are UTF-8 text are kept as text, so the file can be read and edited by hand. Keys
// are data (a `__proto__` key is kept like any other), and a config nested deeper than Diaryx
// parses (serde_json's 127 levels) is refused, naming the file.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { MemoryPluginStorage } from '@diaryx/host-fns';
import { nestingDepth, SERDE_JSON_MAX_NESTING } from '@diaryx/loader';

/** One stored value: text when it is UTF-8, else base64. */
export type StoredValue = { text: string } | { base64: string };

/** The state file's content. */
export interface PluginState {
  /** The plugin's config (null when none). */
  config: unknown;
  /** Plugin storage by scoped key (`<plugin id>:<key>`). */
  storage: Record<string, StoredValue>;
}

/** A state file that does not hold a plugin state. */
export class StateFileError extends Error {
  override readonly name = 'StateFileError';
  readonly kind = 'state_file';
}

/** UTF-8 text, or null when the bytes are not valid UTF-8. */
export function utf8OrNull(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/**
 * Reads a state file into a storage and a config; a missing file is an empty state.
 * @throws StateFileError when the file is not a state file (names the file and the fix)
 */
export async function loadState(path: string): Promise<{ storage: MemoryPluginStorage; config: unknown }> {
  const storage = new MemoryPluginStorage();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { storage, config: null };
    throw new StateFileError(`--storage ${path} cannot be read: ${(error as Error).message}`);
  }
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch (error) {
    throw new StateFileError(`--storage ${path} is not JSON (${(error as Error).message}); delete it to start with empty state`);
  }
  const shape = state as Partial<PluginState> | null;
  if (typeof shape !== 'object' || shape === null || (shape.storage !== undefined && (typeof shape.storage !== 'object' || shape.storage === null))) {
    throw new StateFileError(`--storage ${path} is not a state file ({"config":…,"storage":{…}}); delete it to start with empty state`);
  }
  const problem = configDepthProblem(shape.config);
  if (problem !== null) throw new StateFileError(`--storage ${path}: ${problem}; fix it or delete the file to start with empty state`);
  for (const [key, value] of Object.entries(shape.storage ?? {})) {
    const v = value as Partial<{ text: unknown; base64: unknown }> | null;
    if (typeof v?.text === 'string') storage.set(key, new TextEncoder().encode(v.text));
    else if (typeof v?.base64 === 'string') storage.set(key, new Uint8Array(Buffer.from(v.base64, 'base64')));
    else throw new StateFileError(`--storage ${path}: the value of "${key}" is neither {"text":…} nor {"base64":…}`);
  }
  return { storage, config: shape.config ?? null };
}

/**
 * Why a config cannot be kept (it nests arrays and objects deeper than serde_json's limit, so no
 * Diaryx host or plugin could read it back), or null.
 */
export function configDepthProblem(config: unknown): string | null {
  if (nestingDepth(config) <= SERDE_JSON_MAX_NESTING) return null;
  return `the config nests arrays and objects deeper than ${SERDE_JSON_MAX_NESTING} levels, the most Diaryx parses`;
}

/**
 * Writes the state file (atomically: a temporary file renamed over it).
 * @throws StateFileError when the config nests too deeply to be read back
 */
export async function saveState(path: string, storage: MemoryPluginStorage, config: unknown): Promise<void> {
  const problem = configDepthProblem(config);
  if (problem !== null) throw new StateFileError(`--storage ${path} was not saved: ${problem}`);
  // No prototype: a `__proto__` key is stored as a key, not as the object's prototype.
  const entries = Object.create(null) as Record<string, StoredValue>;
  for (const key of [...storage.values.keys()].sort()) {
    const bytes = storage.values.get(key)!;
    const text = utf8OrNull(bytes);
    entries[key] = text === null ? { base64: Buffer.from(bytes).toString('base64') } : { text };
  }
  const state: PluginState = { config: config ?? null, storage: entries };
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`);
  await rename(temporary, path);
}

import { open, rename, stat } from 'node:fs/promises';
import { type HostLogger, sortedJsonPretty } from '@diaryx/host-fns';
import { PluginLoadError, toError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { loadRacePoint } from './load-race-points.js';
import { isMissingFileError } from './missing-file.js';

/** What reading `config.json` found. */
export interface ConfigReadResult {
  /** The config (any JSON); `{}` when the file is missing or corrupt. */
  config: unknown;
  /** Set when the file was corrupt: where its bytes were moved, so nothing is lost. */
  preservedAs?: string;
}


// Fatal: invalid UTF-8 is corruption, not text to repair with U+FFFD (whose next save would lose
// the original bytes). The BOM is kept, so a file with one stays unparsable, as for serde_json.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** How often a `config.json` that changes under the reader is read again before giving up. */
const MAX_CONFIG_READS = 5;

/** The bytes of a file and which file they came from (null when it is not there). */
async function readIdentified(path: string): Promise<{ bytes: Uint8Array; dev: bigint; ino: bigint } | null> {
  await loadRacePoint('config-read', path);
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (isMissingFileError(error)) return null;
    throw error;
  }
  try {
    const { dev, ino } = await handle.stat({ bigint: true });
    return { bytes: await handle.readFile(), dev, ino };
  } finally {
    await handle.close();
  }
}

/**
 * Reads a plugin's `config.json`. Missing → `{}`. Unparsable or not UTF-8 → `{}` as in Rust, but
 * the bad file is kept: renamed to `config.json.corrupt-<timestamp>` so a later `setConfig`
 * cannot overwrite the user's bytes (kit decision D1). Another host may load the same folder at
 * once: a corrupt file it moved aside first means "missing", and one replaced after it was read
 * (by a good one, say) is read again, never moved aside unread. Other read errors propagate.
 */
export async function readConfigFile(path: string, now: () => number = Date.now): Promise<ConfigReadResult> {
  for (let reads = 1; ; reads++) {
    const read = await readIdentified(path);
    if (read === null) return { config: {} };
    try {
      return { config: JSON.parse(strictUtf8.decode(read.bytes)) as unknown };
    } catch {
      // corrupt: moved aside below, if it is still the file that was read
    }
    await loadRacePoint('config-move-aside', path);
    const current = await stat(path, { bigint: true }).catch((error: unknown) => {
      if (isMissingFileError(error)) return null;
      throw error;
    });
    const unchanged = current !== null && current.dev === read.dev && current.ino === read.ino;
    if (unchanged) {
      const preservedAs = `${path}.corrupt-${now()}`;
      try {
        await rename(path, preservedAs);
        return { config: {}, preservedAs };
      } catch (error) {
        if (!isMissingFileError(error)) throw error;
      }
    }
    // Moved aside or replaced by another process meanwhile: read what is there now.
    if (reads >= MAX_CONFIG_READS) throw new Error(`${path} kept changing while it was read (${reads} reads)`);
  }
}

/** Writes `config.json` as Rust does (pretty, keys sorted, no trailing newline), atomically. */
export async function writeConfigFile(path: string, config: unknown): Promise<void> {
  await writeFileAtomic(path, sortedJsonPretty(config));
}

/**
 * Reads the config sidecar (§7.3 step 5, with kit decision D1): a corrupt file is moved aside,
 * reported in `warnings` and logged. Read errors → `read_dir`, as in Rust.
 */
export async function loadConfig(
  configPath: string,
  name: string,
  logger: HostLogger,
): Promise<{ config: unknown; warnings: string[] }> {
  try {
    const result = await readConfigFile(configPath);
    if (!result.preservedAs) return { config: result.config, warnings: [] };
    const warning =
      `Plugin '${name}': ${configPath} is not valid JSON (or not UTF-8); it was moved to ${result.preservedAs} and the plugin ` +
      'starts with an empty config. Fix the file and move it back to restore the settings.';
    logger.warn(warning);
    return { config: result.config, warnings: [warning] };
  } catch (error) {
    const cause = toError(error);
    throw new PluginLoadError('read_dir', name, `Failed to read plugins directory: ${configPath}: ${cause.message}`, { cause });
  }
}

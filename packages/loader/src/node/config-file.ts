import { readFile, rename } from 'node:fs/promises';
import { pluginLogPrefix, sortedJsonPretty } from '@diaryx/host-fns';
import { PluginLoadError, toError } from '../errors.js';
import type { ResolvedLoaderOptions } from '../options.js';
import { writeFileAtomic } from './atomic-write.js';

/** What reading `config.json` found. */
export interface ConfigReadResult {
  /** The config (any JSON); `{}` when the file is missing or corrupt. */
  config: unknown;
  /** Set when the file was corrupt: where its bytes were moved, so nothing is lost. */
  preservedAs?: string;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'ENOENT';
}

// Fatal: invalid UTF-8 is corruption, not text to repair with U+FFFD (whose next save would lose
// the original bytes). The BOM is kept, so a file with one stays unparsable, as for serde_json.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads a plugin's `config.json`. Missing → `{}`. Unparsable or not UTF-8 → `{}` as in Rust, but
 * the bad file is kept: renamed to `config.json.corrupt-<timestamp>` so a later `setConfig`
 * cannot overwrite the user's bytes (kit decision D1). Other read errors propagate.
 */
export async function readConfigFile(path: string, now: () => number = Date.now): Promise<ConfigReadResult> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if (isMissing(error)) return { config: {} };
    throw error;
  }
  try {
    return { config: JSON.parse(strictUtf8.decode(bytes)) as unknown };
  } catch {
    const preservedAs = `${path}.corrupt-${now()}`;
    await rename(path, preservedAs);
    return { config: {}, preservedAs };
  }
}

/** Writes `config.json` as Rust does (pretty, keys sorted, no trailing newline), atomically. */
export async function writeConfigFile(path: string, config: unknown): Promise<void> {
  await writeFileAtomic(path, sortedJsonPretty(config));
}

/**
 * Reads the config sidecar (§7.3 step 5, with kit decision D1): a corrupt file is moved aside,
 * reported in `warnings`, logged and told to the lifecycle listener (`config-recovered`). Read
 * errors → `read_dir`, as in Rust.
 */
export async function loadConfig(
  configPath: string,
  name: string,
  options: Pick<ResolvedLoaderOptions, 'logger' | 'lifecycle'>,
): Promise<{ config: unknown; warnings: string[] }> {
  let result: ConfigReadResult;
  try {
    result = await readConfigFile(configPath);
  } catch (error) {
    const cause = toError(error);
    throw new PluginLoadError('read_dir', name, `Failed to read plugins directory: ${configPath}: ${cause.message}`, {
      cause,
      details: { path: configPath },
    });
  }
  if (!result.preservedAs) return { config: result.config, warnings: [] };
  const problem =
    `${configPath} is not valid JSON (or not UTF-8); it was moved to ${result.preservedAs} and the plugin ` +
    'starts with an empty config. Fix the file and move it back to restore the settings.';
  const warning = `Plugin '${name}': ${problem}`;
  options.logger.warn(`${pluginLogPrefix(name)} ${problem}`, { pluginId: name, source: 'loader' });
  options.lifecycle({ type: 'config-recovered', pluginName: name, configPath, movedTo: result.preservedAs, message: warning });
  return { config: result.config, warnings: [warning] };
}

// A plugin loaded against a real workspace folder with only the permissions given, recording
// every host call, emitted event and log line: what `run` does once and `dev` does per reload.
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import {
  askingChecker,
  createHostContext,
  type HostCallRecord,
  type HostContext,
  type HostLogger,
  MemoryPluginStorage,
  nodeHttpClient,
  type PermissionKey,
  nodeWorkspaceFs,
  type PermissionAsker,
  type PermissionChecker,
  type PermissionDecision,
  type PluginPermissions,
  type RecentWrites,
  rulesChecker,
} from '@diaryx/host-fns';
import { type LoadedPlugin, loadPlugin } from '@diaryx/loader';

/** What happened during some calls: read it and `clear()` between calls. */
export interface SessionRecord {
  /** Every host-function call, in order. */
  calls: HostCallRecord[];
  /** Emitted event texts, in order. */
  events: string[];
  logs: string[];
}

/** Options of {@link openPluginSession}. */
export interface PluginSessionOptions {
  wasmPath: string;
  workspace: string;
  /** The permissions granted: fixed, or read at each check (e.g. from the loaded manifest). */
  allow: PluginPermissions | (() => PluginPermissions);
  /** Plugin storage (default: empty, in memory); pass one to keep state across sessions. */
  storage?: MemoryPluginStorage;
  /** The plugin's config, pushed through `set_config` by `init` unless null or `{}`. */
  config?: unknown;
  /** Per-call deadline (default: the loader's). */
  timeoutMs?: number;
  /** Record the plugin's calls (the loader option `record`) for `plugin.takeRecording()`. */
  record?: boolean;
  /**
   * Asks the user about a permission the grants leave open (once per key; the Rust CLI's
   * terminal wrapper). Without it such a permission is refused.
   */
  ask?: PermissionAsker;
  /** The registry of the plugin's own workspace changes (shared across reloads by `dev`); default a fresh one. */
  recentWrites?: RecentWrites;
  /**
   * What a denial tells the author to do, by permission key (replaces the checker's advice, which
   * is the end user's: "Add plugins.<id>.permissions.<key> in root frontmatter").
   */
  denialAdvice?: (key: PermissionKey) => string;
}

/** A loaded plugin and what it did. */
export interface PluginSession {
  plugin: LoadedPlugin;
  /** The host context the plugin runs against. */
  host: HostContext;
  record: SessionRecord;
  /** Empties the record. */
  clear(): void;
}

/**
 * Loads a plugin against a real workspace folder (nothing is written next to the wasm) and calls
 * its `init` with the folder as `workspace_root`, after the config push.
 */
export async function openPluginSession(options: PluginSessionOptions): Promise<PluginSession> {
  const record: SessionRecord = { calls: [], events: [], logs: [] };
  const log = (level: string) => (message: string) => void record.logs.push(`${level} ${message}`);
  const logger: HostLogger = { error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug'), trace: log('trace') };
  const workspace = resolve(options.workspace);
  let pluginId = '';
  const granted: PermissionChecker = {
    check(id, key, target) {
      const rules = { [pluginId || id]: { permissions: typeof options.allow === 'function' ? options.allow() : options.allow } };
      const decision = rulesChecker(rules, { workspaceRoot: workspace }).check(id, key, target) as PermissionDecision;
      if (decision.allowed || options.denialAdvice === undefined) return decision;
      // The checker's sentence for the end user gives way to the author's tool's.
      return { allowed: false, reason: decision.reason, message: `${decision.message.replace(/ Add plugins\.\S+ in root frontmatter\.$/, '')} ${options.denialAdvice(key)}` };
    },
  };
  const host = createHostContext({
    fs: nodeWorkspaceFs(workspace),
    storage: options.storage ?? new MemoryPluginStorage(),
    events: { emit: (text) => void record.events.push(text) },
    http: nodeHttpClient(),
    permissions: options.ask ? askingChecker(granted, options.ask) : granted,
    logger,
    observer: (call) => void record.calls.push(call),
    ...(options.recentWrites ? { recentWrites: options.recentWrites } : {}),
  });
  const bytes = new Uint8Array(await readFile(options.wasmPath));
  const plugin = await loadPlugin(bytes, host, {
    name: basename(options.wasmPath, '.wasm'),
    logger,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.record === true ? { record: true } : {}),
    ...(options.config === undefined || options.config === null ? {} : { config: options.config }),
  });
  pluginId = plugin.id;
  try {
    await plugin.init({ workspace_root: workspace });
  } catch (error) {
    await plugin.close();
    throw error;
  }
  return {
    plugin,
    host,
    record,
    clear: () => {
      record.calls.length = 0;
      record.events.length = 0;
      record.logs.length = 0;
    },
  };
}

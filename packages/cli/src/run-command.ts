import { type HostCallRecord, type MemoryPluginStorage, PERMISSION_KEYS, type PermissionAsker, type PermissionKey, type PluginPermissions } from '@diaryx/host-fns';
import type { CommandResponse, GuestEvent, PluginTrace } from '@diaryx/loader';
import { openPluginSession } from './plugin-session.js';

/** What `diaryx-plugin run` did. */
export interface RunResult {
  pluginId: string;
  response: CommandResponse;
  /** Every host-function call, in order. */
  calls: HostCallRecord[];
  /** Emitted event texts, in order. */
  events: string[];
  logs: string[];
  /** The plugin's config at the end (null when none). */
  config: unknown;
  /** With `record`: the trace of the run (set_config, init, the events, the command). */
  trace?: PluginTrace;
}

/**
 * Parses `--allow` specs such as `read_files=all` or `http_requests=api.example.com,example.org`
 * (a bare key means `all`) into permissions.
 * @throws Error naming an unknown permission key
 */
export function parseAllow(specs: string[]): PluginPermissions {
  const permissions: PluginPermissions = {};
  for (const spec of specs) {
    const [key, scopes = 'all'] = spec.split('=', 2) as [string, string?];
    if (!(PERMISSION_KEYS as readonly string[]).includes(key)) {
      throw new Error(`unknown permission "${key}" in --allow ${spec}; use one of: ${PERMISSION_KEYS.join(', ')}`);
    }
    const rule = (permissions[key as PermissionKey] ??= { include: [], exclude: [] });
    rule.include.push(...scopes.split(',').map((s) => s.trim()).filter(Boolean));
  }
  return permissions;
}

/** What `run` tells the author about a denied permission: the flag that grants it. */
export function runDenialAdvice(key: PermissionKey): string {
  return `(diaryx-plugin run grants only what --allow gives: pass --allow ${key} for all, or --allow ${key}=<scope,…>)`;
}

/**
 * Runs one command of a plugin against a real workspace folder, with only the permissions
 * given, after firing `events` in order. Nothing is written next to the wasm file; pass a
 * `storage` (and save it) to keep state between runs.
 */
export async function runCommand(options: {
  wasmPath: string;
  workspace: string;
  command: string;
  params: unknown;
  allow: PluginPermissions;
  timeoutMs?: number;
  /** Events sent to `on_event` before the command, in order. */
  events?: readonly GuestEvent[];
  config?: unknown;
  storage?: MemoryPluginStorage;
  /** Asks the user about a permission `allow` leaves open (see `stdinAsker`); without it, refused. */
  ask?: PermissionAsker;
  /** Record the run's calls: the result's `trace`. */
  record?: boolean;
}): Promise<RunResult> {
  const session = await openPluginSession({ ...options, denialAdvice: runDenialAdvice });
  const { plugin, record } = session;
  try {
    for (const event of options.events ?? []) await plugin.onEvent(event);
    const response = await plugin.handleCommand(options.command, options.params);
    const result: RunResult = { pluginId: plugin.id, response, calls: record.calls, events: record.events, logs: record.logs, config: plugin.getConfig() };
    if (options.record === true) result.trace = plugin.takeRecording();
    return result;
  } finally {
    await plugin.close();
  }
}

import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import {
  createHostContext,
  type HostCallRecord,
  type HostLogger,
  MemoryPluginStorage,
  nodeHttpClient,
  nodeWorkspaceFs,
  PERMISSION_KEYS,
  type PermissionKey,
  type PluginPermissions,
  rulesChecker,
} from '@diaryx/host-fns';
import { type CommandResponse, loadPlugin } from '@diaryx/loader';

/** What `diaryx-plugin run` did. */
export interface RunResult {
  pluginId: string;
  response: CommandResponse;
  /** Every host-function call, in order. */
  calls: HostCallRecord[];
  /** Emitted event texts, in order. */
  events: string[];
  logs: string[];
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

/**
 * Runs one command of a plugin against a real workspace folder, with only the permissions
 * given. Nothing is written next to the wasm file.
 */
export async function runCommand(options: {
  wasmPath: string;
  workspace: string;
  command: string;
  params: unknown;
  allow: PluginPermissions;
  timeoutMs?: number;
}): Promise<RunResult> {
  const calls: HostCallRecord[] = [];
  const events: string[] = [];
  const logs: string[] = [];
  const log = (level: string) => (message: string) => void logs.push(`${level} ${message}`);
  const logger: HostLogger = { error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug'), trace: log('trace') };
  const workspace = resolve(options.workspace);
  let pluginId = '';
  const host = createHostContext({
    fs: nodeWorkspaceFs(workspace),
    storage: new MemoryPluginStorage(),
    events: { emit: (text) => void events.push(text) },
    http: nodeHttpClient(),
    permissions: { check: (id, key, target) => rulesChecker({ [pluginId || id]: { permissions: options.allow } }, { workspaceRoot: workspace }).check(id, key, target) },
    logger,
    observer: (record) => void calls.push(record),
  });
  const bytes = new Uint8Array(await readFile(options.wasmPath));
  const plugin = await loadPlugin(bytes, host, {
    name: basename(options.wasmPath, '.wasm'),
    logger,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  pluginId = plugin.id;
  try {
    await plugin.init({ workspace_root: workspace });
    const response = await plugin.handleCommand(options.command, options.params);
    return { pluginId, response, calls, events, logs };
  } finally {
    await plugin.close();
  }
}

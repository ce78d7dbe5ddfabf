import {
  allowAll,
  type PermissionChecker,
  type PermissionDecision,
  type Clock,
  createHostContext,
  denyAll,
  fixedClock,
  type HostCallAnswerSource,
  type HostCallRecord,
  type HostContext,
  type HostLogger,
  mapFileProvider,
  type PluginCommandBridge,
  type PluginPermissions,
  rulesChecker,
  systemClock,
} from '@diaryx/host-fns';
import type { GuestEvent, PluginContext } from '@diaryx/loader';
import { type IFs, memfs } from 'memfs';
import { FakeHttp, type FakeHttpRoutes } from './fake-http.js';
import { FakeNamespaces } from './fake-namespaces.js';
import { memfsWorkspace } from './memfs-workspace.js';
import { RecordingStorage } from './recording-storage.js';
import { declaredWorkspaceRoot, initContext, sampleEvents } from './workspace-root.js';

/** A log line a plugin (or the host) wrote. */
export interface FakeLogLine {
  level: 'error' | 'warn' | 'info' | 'debug' | 'trace';
  message: string;
}

/** An emitted event: the parsed JSON, with the emitting plugin and the raw text. */
export interface FakeEvent {
  pluginId: string;
  /** The parsed JSON (null when the text was not JSON). */
  json: unknown;
  text: string;
}

/** A command of another (fake) plugin, for `host_plugin_command`: params in, data out; throw to fail. */
export type FakePluginCommand = (params: unknown, callerId: string) => unknown;

/** Options of {@link createFakeHost}. */
export interface FakeHostOptions {
  /** The workspace: workspace-relative path → text or bytes, kept in a memfs volume. */
  files?: Record<string, string | Uint8Array>;
  /**
   * The workspace's absolute root (default `/workspace`): what `init` hands out as
   * `workspace_root`, what the sample workspace events and the runtime context's
   * `current_workspace.path` name. Guest paths under it (`/workspace/README.md`) are served as
   * the matching relative paths; other absolute paths are refused (protocol §13 D3).
   */
  workspaceRoot?: string;
  /**
   * What plugins may do. `'requested'` (default, as the app grants them): exactly the
   * permissions, with their scopes, a plugin's manifest asks for in `requested_permissions`
   * (`loadTestPlugin` registers them; see {@link FakeHost.grantRequested}); a denial says which
   * permission to add. `'allow-all'` (Rust's test harness), `'deny-all'`, or rules applied to every plugin.
   */
  permissions?: 'requested' | 'allow-all' | 'deny-all' | PluginPermissions;
  /** Secrets by key; a key without `:` belongs to the plugin loaded by `loadTestPlugin`. */
  secrets?: Record<string, string>;
  /** Storage by key (text or bytes); a key without `:` belongs to the plugin loaded by `loadTestPlugin`. */
  storage?: Record<string, string | Uint8Array>;
  /** Fake HTTP routes; a request no route matches fails the plugin's call, naming the URL. */
  http?: FakeHttpRoutes;
  /** A fixed clock (Date, ISO text or ms) for `host_get_timestamp`/`host_get_now`. Default: the real clock. */
  now?: Date | string | number;
  /** The zone offset of `now` in minutes (east positive), default 0 (UTC). */
  utcOffsetMinutes?: number;
  /**
   * What `host_get_runtime_context` answers, on top of the default
   * `{"current_workspace": {"path": <workspaceRoot>}}` (top-level keys given here replace it).
   */
  runtimeContext?: Record<string, unknown>;
  /** Files the host hands out through `host_request_file`, by key. */
  requestFiles?: Record<string, string | Uint8Array>;
  /** Other plugins for `host_plugin_command`: plugin id → command name → handler. */
  plugins?: Record<string, Record<string, FakePluginCommand>>;
  /** Per-value storage quota (default 1 MiB, as in Rust). */
  storageQuotaBytes?: number;
  /**
   * Answers host calls instead of the host functions (`undefined` runs the function): how
   * {@link replayTrace} answers a plugin from a recorded trace. Default: none.
   */
  answers?: HostCallAnswerSource;
}

/** The fake host: the real host functions over in-memory services, and what the plugin did. */
export interface FakeHost {
  /** The host context to load plugins with (the same registry and checks the app uses). */
  readonly context: HostContext;
  /** The memfs file system holding the workspace (at the volume's `/`). */
  readonly fs: IFs;
  /** The declared absolute workspace root (option `workspaceRoot`, default `/workspace`). */
  readonly workspaceRoot: string;
  /** What `init` should receive: `{"workspace_root": workspaceRoot}`. */
  readonly initContext: PluginContext;
  /** One event of each of the eight types; the workspace events name {@link workspaceRoot}. */
  readonly sampleEvents: readonly GuestEvent[];
  /** Every emitted event, in order. */
  readonly events: FakeEvent[];
  /**
   * Every log line, in order: the host functions', and (for plugins loaded by `loadTestPlugin`)
   * the guest's own logs (`[plugin <id>] …`) and the loader's warnings.
   */
  readonly logs: FakeLogLine[];
  /** The logger writing to {@link logs} (hand it to the loader's `logger` option). */
  readonly logger: HostLogger;
  /** Plugin storage: `values` by scoped key and the ordered `ops`. */
  readonly storage: RecordingStorage;
  /** Secrets by scoped key. */
  readonly secrets: Map<string, string>;
  /** Fake HTTP: `requests` sent by plugins. */
  readonly http: FakeHttp;
  /** In-memory namespaces. */
  readonly namespaces: FakeNamespaces;
  /** Every host-function call: name, plugin, input, output, outcome (`ok`/`denied`/`trap`). */
  readonly calls: HostCallRecord[];
  /** A snapshot of the workspace: path → text (lossy UTF-8). */
  files(): Record<string, string>;
  /** Scopes the unscoped `storage`/`secrets` seeds to a plugin id (done by `loadTestPlugin`). */
  seedFor(pluginId: string): void;
  /**
   * With `permissions: 'requested'`, grants a plugin the permissions its manifest requests
   * (`manifest.requested_permissions?.defaults`; done by `loadTestPlugin`).
   */
  grantRequested(pluginId: string, requested: PluginPermissions | null): void;
}

/**
 * The app's grant: what each plugin requests, nothing else; a denial names the permission to
 * add to `requested_permissions` (or the scope to widen).
 */
function requestedPermissions(workspaceRoot: string): { checker: PermissionChecker; grant: FakeHost['grantRequested'] } {
  const granted = new Map<string, PluginPermissions>();
  return {
    grant: (pluginId, requested) => void granted.set(pluginId, requested ?? {}),
    checker: {
      check(pluginId, key, target) {
        const permissions = granted.get(pluginId);
        if (permissions === undefined) {
          return {
            allowed: false,
            reason: 'denied',
            message:
              `Permission denied for plugin '${pluginId}': ${key} on '${target}': the fake host grants a plugin what its manifest ` +
              'requests, and this plugin was not loaded with loadTestPlugin; call host.grantRequested(plugin.id, ' +
              "plugin.manifest.requested_permissions?.defaults ?? null) after loading it, or create the host with permissions: 'allow-all'",
          };
        }
        const decision = rulesChecker({ [pluginId]: { permissions } }, { workspaceRoot }).check(pluginId, key, target) as PermissionDecision;
        if (decision.allowed) return decision;
        const rule = permissions[key];
        const advice =
          rule === undefined
            ? `the plugin does not request ${key}: add it to requested_permissions in the plugin's manifest ` +
              `(e.g. "${key}": {"include": ["all"], "exclude": []}); the app grants only what a plugin requests`
            : `the target is outside the scopes the plugin requests for ${key} (include ${JSON.stringify(rule.include)}, ` +
              `exclude ${JSON.stringify(rule.exclude)}): widen them in requested_permissions`;
        return { allowed: false, reason: decision.reason, message: `Permission denied for plugin '${pluginId}': ${key} on '${target}': ${advice}` };
      },
    },
  };
}

const bytes = (value: string | Uint8Array) => (typeof value === 'string' ? new TextEncoder().encode(value) : value);

function walk(fs: IFs, dir: string, out: Record<string, string>): void {
  for (const name of fs.readdirSync(dir) as string[]) {
    const full = dir === '/' ? `/${name}` : `${dir}/${name}`;
    if (fs.statSync(full).isDirectory()) walk(fs, full, out);
    else out[full.slice(1)] = new TextDecoder().decode(fs.readFileSync(full) as Buffer);
  }
}

/**
 * Creates a fake host: the real `@diaryx/host-fns` registry with in-memory services.
 *
 * @example
 * const host = createFakeHost({ files: { 'notes/a.md': 'hello' }, now: '2024-01-15T10:00:00Z' });
 * const plugin = await loadPlugin('build/plugin.wasm', host.context, { runInWorker: false });
 */
export function createFakeHost(options: FakeHostOptions = {}): FakeHost {
  const workspaceRoot = declaredWorkspaceRoot(options.workspaceRoot);
  const { fs } = memfs({}, '/');
  const workspace = memfsWorkspace(fs, workspaceRoot);
  for (const [path, content] of Object.entries(options.files ?? {})) workspace.writeBinary(path.replace(/^\/+/, ''), bytes(content));
  const events: FakeEvent[] = [];
  const logs: FakeLogLine[] = [];
  const calls: HostCallRecord[] = [];
  const storage = new RecordingStorage();
  const secrets = new Map<string, string>();
  const http = new FakeHttp(options.http);
  const namespaces = new FakeNamespaces();
  const log = (level: FakeLogLine['level']) => (message: string) => void logs.push({ level, message });
  const logger: HostLogger = { error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug'), trace: log('trace') };
  const permissions = options.permissions ?? 'requested';
  const requested = requestedPermissions(workspaceRoot);
  const seedScoped = (pluginId: string | null) => {
    for (const [key, value] of Object.entries(options.storage ?? {})) {
      if (key.includes(':') === (pluginId === null)) storage.values.set(pluginId === null ? key : `${pluginId}:${key}`, bytes(value));
    }
    for (const [key, value] of Object.entries(options.secrets ?? {})) {
      if (key.includes(':') === (pluginId === null)) secrets.set(pluginId === null ? key : `${pluginId}:${key}`, value);
    }
  };
  seedScoped(null);
  const commands: PluginCommandBridge = {
    call(callerId, pluginId, command, params) {
      const handler = options.plugins?.[pluginId]?.[command];
      if (!handler) return { ok: false, error: `Plugin not found or command not declared: ${pluginId}:${command}` };
      try {
        return { ok: true, data: handler(params, callerId) ?? null };
      } catch (error) {
        return { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
    },
  };
  const clock: Clock = options.now === undefined ? systemClock : fixedClock(options.now, options.utcOffsetMinutes ?? 0);
  const context = createHostContext({
    fs: workspace,
    storage,
    secrets: { get: (k) => secrets.get(k) ?? null, set: (k, v) => void secrets.set(k, v), delete: (k) => void secrets.delete(k) },
    events: {
      emit(text, pluginId) {
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {
          // kept as text only
        }
        events.push({ pluginId, json, text });
      },
    },
    permissions:
      permissions === 'requested'
        ? requested.checker
        : permissions === 'allow-all'
        ? allowAll
        : permissions === 'deny-all'
          ? denyAll
          : // Absolute paths under the workspace root (a plugin that joins init's root) are judged relative to it, as in the app.
            { check: (pluginId, key, target) => rulesChecker({ [pluginId]: { permissions } }, { workspaceRoot }).check(pluginId, key, target) },
    files: mapFileProvider(Object.fromEntries(Object.entries(options.requestFiles ?? {}).map(([k, v]) => [k, bytes(v)]))),
    http,
    commands,
    runtimeContext: { getContext: () => ({ current_workspace: { path: workspaceRoot }, ...options.runtimeContext }) },
    namespaces,
    clock,
    logger,
    observer: (record) => void calls.push(record),
    ...(options.storageQuotaBytes === undefined ? {} : { storageQuotaBytes: options.storageQuotaBytes }),
    ...(options.answers === undefined ? {} : { answers: options.answers }),
  });
  return {
    context,
    fs,
    workspaceRoot,
    initContext: initContext(workspaceRoot),
    sampleEvents: sampleEvents(workspaceRoot),
    events,
    logs,
    logger,
    storage,
    secrets,
    http,
    namespaces,
    calls,
    files() {
      const out: Record<string, string> = {};
      walk(fs, '/', out);
      return out;
    },
    seedFor: (pluginId) => seedScoped(pluginId),
    grantRequested: requested.grant,
  };
}

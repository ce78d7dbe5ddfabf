import { type Clock, systemClock } from './services/clock.js';
import { type EventEmitter, noopEventEmitter } from './services/event-emitter.js';
import { type FileProvider, noopFileProvider } from './services/file-provider.js';
import type { HttpClient } from './services/http-client.js';
import { type HostLogger, silentLogger } from './services/logger.js';
import { type NamespaceProvider, noopNamespaceProvider } from './services/namespace-provider.js';
import { type PluginCommandBridge, noopPluginCommandBridge } from './services/plugin-command-bridge.js';
import { type PluginStorage, noopPluginStorage } from './services/plugin-storage.js';
import { type RecentWrites, recentWrites } from './services/recent-writes.js';
import { type RuntimeContextProvider, noopRuntimeContextProvider } from './services/runtime-context.js';
import { type SecretStore, noopSecretStore } from './services/secret-store.js';
import type { WasiRunner } from './services/wasi-runner.js';
import type { WorkspaceFileSetProvider } from './services/workspace-file-set.js';
import { type WorkspaceFileSystem, noWorkspaceFileSystem } from './services/workspace-fs.js';
import { type WebSocketBridge, noopWebSocketBridge } from './services/ws-bridge.js';
import type { PermissionChecker } from './permissions/types.js';
import type { HostCallAnswerSource } from './runtime/host-call-answer.js';
import type { HostCallObserver } from './runtime/host-call-record.js';
import type { ProtectedFiles } from './runtime/protected-files.js';

/** Rust's `DEFAULT_STORAGE_QUOTA_BYTES`: the largest single value `host_storage_set` accepts. */
export const DEFAULT_STORAGE_QUOTA_BYTES = 1_048_576;

/**
 * Everything the host functions need, as small services shared by every plugin of a host.
 * Build one with {@link createHostContext}; every service has a safe default.
 */
export interface HostContext {
  /** The workspace files. Default: no workspace (reads fail, nothing exists). */
  fs: WorkspaceFileSystem;
  /** Plugin key/value storage (keys scoped per plugin). Default: remembers nothing. */
  storage: PluginStorage;
  /** Plugin secrets (keys scoped per plugin). Default: none kept. */
  secrets: SecretStore;
  /** Receives `host_emit_event` texts. Default: dropped. */
  events: EventEmitter;
  /** Permission decisions. Default: none, so every check is denied (as in Rust). */
  permissions: PermissionChecker | null;
  /** Files for `host_request_file`. Default: none. */
  files: FileProvider;
  /** HTTP for `host_http_request`/`host_proxy_request`. Default: none (Rust's stub output). */
  http: HttpClient | null;
  /** `host_ws_request`. Default: answers "". */
  ws: WebSocketBridge;
  /** `host_plugin_command`. Default: "Plugin command bridge is not available". */
  commands: PluginCommandBridge;
  /** `host_get_runtime_context`. Default: `{}`. */
  runtimeContext: RuntimeContextProvider;
  /** `host_namespace_*`. Default: "Namespace operations are not available". */
  namespaces: NamespaceProvider;
  /** `host_get_timestamp`/`host_get_now`. Default: the system clock. */
  clock: Clock;
  /** `host_run_wasi_module`. Default: none (Rust's stub output). */
  wasi: WasiRunner | null;
  /** `host_workspace_file_set`. Default: none (the frontmatter provider of the kit, when added). */
  workspaceFileSet: WorkspaceFileSetProvider | null;
  /** Guest logs (`host_log`) and host warnings. Default: silent. */
  logger: HostLogger;
  /** Per-value quota of `host_storage_set` in bytes; 0 = unlimited. Default 1 MiB. */
  storageQuotaBytes: number;
  /** Sees every host-function call (name, input, output, outcome). Default: none. */
  observer: HostCallObserver | null;
  /**
   * Answers host calls instead of the host functions' bodies (replay of a recorded trace, see
   * {@link HostCallAnswerSource}); `undefined` from it runs the function. Default: none.
   */
  answers: HostCallAnswerSource | null;
  /**
   * Files guests may not change (D21). Default `{}`, which protects the workspace's
   * `.diaryx/plugins`, the plugin folders and files the loader loads from, and the `plugins`
   * block of the root index the permission checker reads; see {@link ProtectedFiles} to add to it
   * or turn a protection off.
   */
  protectedFiles: ProtectedFiles;
  /**
   * The workspace changes plugins made through host functions (`host_write_file`,
   * `host_write_binary`, `host_delete_file`), for a file watcher to tell them from the user's.
   * Default: a fresh {@link recentWrites} registry.
   */
  recentWrites: RecentWrites;
}

/** Builds a {@link HostContext}: what you pass replaces the default. */
export function createHostContext(services: Partial<HostContext> = {}): HostContext {
  return {
    fs: noWorkspaceFileSystem,
    storage: noopPluginStorage,
    secrets: noopSecretStore,
    events: noopEventEmitter,
    permissions: null,
    files: noopFileProvider,
    http: null,
    ws: noopWebSocketBridge,
    commands: noopPluginCommandBridge,
    runtimeContext: noopRuntimeContextProvider,
    namespaces: noopNamespaceProvider,
    clock: systemClock,
    wasi: null,
    workspaceFileSet: null,
    logger: silentLogger,
    storageQuotaBytes: DEFAULT_STORAGE_QUOTA_BYTES,
    observer: null,
    answers: null,
    protectedFiles: {},
    recentWrites: recentWrites(),
    ...services,
  };
}

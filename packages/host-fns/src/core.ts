/**
 * The portable part of `@diaryx/host-fns`: every host function and service, with no Node
 * built-in module, for browsers and any other JavaScript runtime. Node adds `nodeWorkspaceFs`
 * through the package's main entry.
 * @packageDocumentation
 */
export { createHostContext, DEFAULT_STORAGE_QUOTA_BYTES, type HostContext } from './context.js';
export { createHostFunctions, HOST_FUNCTIONS, HOST_FUNCTION_NAMES, HOST_NAMESPACE } from './registry.js';

export { allowAll, denyAll, NO_CHECKER_MESSAGE } from './permissions/basic-checkers.js';
export { parsePluginsConfig } from './permissions/plugins-config.js';
export {
  checkPermission,
  fileScopeMatches,
  httpScopeMatches,
  type PluginConfigEntry,
  type PluginsConfig,
  type RuleDecision,
  urlDomain,
} from './permissions/rules.js';
export { normalizeTarget, rulesChecker } from './permissions/rules-checker.js';
export { askingChecker, type PermissionAsker, type PermissionQuestion } from './permissions/asking-checker.js';
export { type FrontmatterChecker, frontmatterChecker } from './permissions/frontmatter-checker.js';
export { findRootIndex, isRootIndexText, ROOT_INDEX_NOT_AVAILABLE } from './permissions/root-index.js';
export {
  PERMISSION_KEYS,
  type PermissionChecker,
  type PermissionDecision,
  type PermissionKey,
  type PermissionReason,
  type PermissionRule,
  type PluginPermissions,
} from './permissions/types.js';

export { type Clock, fixedClock, systemClock } from './services/clock.js';
export { type EventEmitter, noopEventEmitter } from './services/event-emitter.js';
export { type FileProvider, mapFileProvider, noopFileProvider } from './services/file-provider.js';
export { DEFAULT_MAX_RESPONSE_BYTES, type HttpClient, type HttpRequest, type HttpResponse } from './services/http-client.js';
export { type FetchHttpClientOptions, fetchHttpClient } from './services/fetch-http-client.js';
export { frontmatterWorkspaceFileSet } from './services/frontmatter-file-set.js';
export { type HostLogger, type LogFields, type LogSource, pluginLogPrefix, silentLogger } from './services/logger.js';
export {
  type NamespaceObjectMeta,
  type NamespaceProvider,
  noopNamespaceProvider,
} from './services/namespace-provider.js';
export {
  noopPluginCommandBridge,
  type PluginCommandBridge,
  type PluginCommandResult,
} from './services/plugin-command-bridge.js';
export { MemoryPluginStorage, noopPluginStorage, type PluginStorage } from './services/plugin-storage.js';
export { type PluginWrite, type RecentWrites, type RecentWritesOptions, recentWrites } from './services/recent-writes.js';
export { noopRuntimeContextProvider, type RuntimeContextProvider } from './services/runtime-context.js';
export { noopSecretStore, type SecretStore } from './services/secret-store.js';
export type { WasiRunner, WasiRunRequest, WasiRunResult } from './services/wasi-runner.js';
export { browserWasiRunner } from './services/browser-wasi-runner.js';
export { type WasiFailure, wasiRunError } from './services/wasi-run-error.js';
export type { WorkspaceFileSetProvider } from './services/workspace-file-set.js';
export { type DirectoryEntry, type FileMetadata, noWorkspaceFileSystem, type WorkspaceFileSystem } from './services/workspace-fs.js';
export { memoryWorkspaceFs } from './services/memory-workspace-fs.js';
export { noopWebSocketBridge, type WebSocketBridge } from './services/ws-bridge.js';
export {
  SYNC_PING_INTERVAL_MS,
  type SyncGuestResolver,
  syncReconnectDelayMs,
  type SyncTransportPlugin,
  syncTransportGuests,
  type SyncWebSocketBridge,
  webSocketBridge,
  type WebSocketBridgeOptions,
} from './services/sync-transport/web-socket-bridge.js';
export type { BridgeSocket, BridgeSocketConstructor, SyncGuest } from './services/sync-transport/sync-connection.js';
export { connectionKey, parseWsRequest, syncUrl, WS_OK, type WsConnect, type WsRequest, WsRequestError } from './services/sync-transport/ws-requests.js';

export { MAX_PLUGIN_COMMAND_DEPTH } from './functions/plugin-command.js';
export { HTTP_TIMEOUT_RANGE_MS } from './functions/http-request.js';
export { MAX_HTTP_REDIRECTS } from './util/http-redirects.js';
export { formatRfc3339 } from './functions/get-now.js';
export { defineHostFunction, type HostFunctionDefinition, type HostOutput, scopedKey } from './runtime/define.js';
export type { ExtismHostFunction, GuestMemory } from './runtime/extism-types.js';
export { HostCall, HostTrap } from './runtime/host-call.js';
export type { HostCallAnswer, HostCallAnswerSource } from './runtime/host-call-answer.js';
export type { HostCallDetail, HostCallObserver, HostCallOutcome, HostCallRecord, HostCallRecorder } from './runtime/host-call-record.js';
export { type HostTask, type MaybePromise, runTask, wait } from './runtime/maybe-async.js';
export { guardPath, hasTraversal, toWorkspacePath } from './runtime/path-guard.js';
export { type GuestPath, pathPermission, requirePathPermission, resolveGuestPath } from './runtime/guest-path.js';
export { type ProtectedFiles, protectPluginPaths, WORKSPACE_PLUGINS_DIR } from './runtime/protected-files.js';
export {
  createPluginHostState,
  endExportCall,
  exportCallSignal,
  lockPluginId,
  type PluginHostState,
} from './runtime/plugin-state.js';

export { decodeBase64Strict, encodeBase64 } from './util/base64.js';
export { sortedJson, sortedJsonPretty, sortKeys } from './util/json.js';
export { decodeUtf8Lossy, decodeUtf8Strict, encodeUtf8, utf8ByteLength } from './util/utf8.js';
export { sha256Hex } from './util/sha256.js';
export { isRootIndex, linkTarget, parseFrontmatter } from './util/frontmatter.js';
export { preloadFrontmatter } from './util/yaml-parser.js';
export { ActionEnvelopeError, type DecodedAction, decodeActions } from './binary-protocol/decode-actions.js';

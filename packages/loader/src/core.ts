/**
 * The portable part of `@diaryx/loader`: load a plugin from bytes with a host context, in Node,
 * browsers (bundlers pick this entry through the `browser`/`default` export conditions) or any
 * runtime `@extism/extism` supports. No Node built-in module is imported from here.
 * @packageDocumentation
 */
export { loadPluginFromBytes } from './load-plugin-from-bytes.js';
export { inspectManifest, type ManifestInspection } from './inspect-manifest.js';
export { LoadedPlugin, type PluginCallOptions, type PluginStats } from './loaded-plugin.js';
export { pluginCommandBridge } from './plugin-command-bridge.js';
export { createPluginHost, type CreatePluginHostOptions } from './host/create-plugin-host.js';
export {
  type BroadcastOutcome,
  type HostedPlugin,
  PluginHost,
  type PluginHostLoadResult,
  type PluginHostOptions,
  type PluginState,
} from './host/plugin-host.js';
export type {
  PluginHostEventDetails,
  PluginHostEventMap,
  PluginHostEventType,
  PluginHostListener,
  UnloadReason,
} from './host/plugin-host-events.js';
export type { PluginSource } from './host/plugin-catalog.js';
export {
  LoaderOptionError,
  PluginCallError,
  type PluginCallErrorDetails,
  type PluginCallErrorKind,
  type PluginCallErrorOptions,
  PluginLoadError,
  type PluginLoadErrorDetails,
  type PluginLoadErrorKind,
  type PluginLoadErrorOptions,
} from './errors.js';
export type { PluginLifecycleEvent, PluginLifecycleEventType, PluginLifecycleListener } from './lifecycle-events.js';
export {
  DEFAULT_MANIFEST_TIMEOUT_MS,
  DEFAULT_MAX_INPUT_BYTES,
  DEFAULT_MAX_MEMORY_PAGES,
  DEFAULT_SLICE_MS,
  DEFAULT_TIMEOUT_MS,
  MAX_VAR_BYTES,
  type LoaderOptions,
  type LoadPluginFromBytesOptions,
  type PluginMode,
  type PluginRuntimeInfo,
  type ResolvedPluginMode,
} from './options.js';
export { hasJspi } from './runtime/jspi.js';
export { realWasiSource, type WasiSource } from './runtime/wasi-shim.js';
export {
  DEFAULT_RECORD_CALLS,
  DEFAULT_RECORD_MAX_BYTES,
  RECORD_LIMITS,
  type RecordOptions,
} from './recording/record-options.js';
export { MAX_RECORDED_HOST_CALLS } from './recording/record-options.js';
export { MAX_TRACE_CALLS, MAX_TRACE_HOST_CALLS, MAX_TRACE_TEXT_BYTES, parseTrace, TraceFormatError } from './recording/parse-trace.js';
export {
  type PluginTrace,
  TRACE_FORMAT,
  TRACE_VERSION,
  type TraceCall,
  type TraceClockReading,
  type TraceHostCall,
  type TraceResult,
  type TraceValue,
  type TraceWasi,
} from './recording/trace.js';
export {
  appVersionSatisfies,
  CURRENT_PROTOCOL_VERSION,
  DEFAULT_APP_VERSION,
  MIN_SUPPORTED_PROTOCOL_VERSION,
  parseVersion,
} from './protocol/versions.js';
export { parseGuestManifest, ProtocolShapeError, serializeManifest } from './protocol/manifest-parse.js';
export { parseCommandResponse } from './protocol/command-response.js';
export { nestingDepth, SERDE_JSON_MAX_NESTING } from './protocol/strict-json.js';
export { isValidPluginId, PLUGIN_ID_RULE } from './protocol/plugin-id.js';
export { guestEvents } from './protocol/events.js';
export type {
  AttributeSyntax,
  ClickBehavior,
  CliArg,
  CliArgType,
  CliCommand,
  CommandRequest,
  CommandResponse,
  ComponentRef,
  ContextMenuTarget,
  CoreCapability,
  EditMode,
  EditorNodeType,
  GuestEvent,
  GuestManifest,
  GuestRequestedPermissions,
  HostWidgetAction,
  InsertCommand,
  InsertPlacement,
  MarkAttribute,
  MarkdownSyntax,
  PluginContext,
  PluginManifest,
  SelectOption,
  ServerFunctionDecl,
  SettingsField,
  SidebarSide,
  StatusBarPosition,
  UiContribution,
} from './protocol/types.js';
export { KNOWN_UI_SLOTS } from './protocol/ui-elements.js';
export { checkManifestElements, type ManifestElementProblem } from './protocol/manifest-elements.js';
export { inspectPluginManifestFromBytes, type ManifestReview, reviewPluginManifest } from './protocol/inspect-manifest.js';
export type {
  AttributeSyntaxInput,
  CliArgInput,
  CliCommandInput,
  ComponentRefInput,
  GuestManifestInput,
  InsertCommandInput,
  KnownCapability,
  MarkAttributeInput,
  MarkdownSyntaxInput,
  PermissionRuleInput,
  SettingsFieldInput,
  UiContributionInput,
} from './protocol/manifest-input.js';

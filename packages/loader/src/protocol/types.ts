import type { PluginPermissions } from '@diaryx/host-fns';

/** A server function a plugin declares (declarative only; no host behaviour depends on it). */
export interface ServerFunctionDecl {
  name: string;
  method: string;
  path: string;
  description: string;
}

/** The permissions a plugin asks for, with a reason per permission key. */
export interface GuestRequestedPermissions {
  /** The permissions the plugin would like by default (all rules optional). */
  defaults: PluginPermissions;
  /** Why, per permission key (`read_files`, …). */
  reasons: Record<string, string>;
}

/**
 * What a guest's `manifest` export returns (and what `manifest.json` caches), with Rust's field
 * names and defaults: `protocol_version` defaults to 1, lists default to `[]`,
 * `requested_permissions` to null, `min_app_version` and `server_functions` are omitted when absent.
 */
export interface GuestManifest {
  protocol_version: number;
  id: string;
  name: string;
  version: string;
  description: string;
  capabilities: string[];
  /** UI contributions (elements of any JSON; invalid ones are dropped from the core manifest). */
  ui: unknown[];
  /** Custom command names (reachable only with the `custom_commands` capability). */
  commands: string[];
  /** CLI command declarations (any JSON; invalid ones are dropped from the core manifest). */
  cli: unknown[];
  requested_permissions: GuestRequestedPermissions | null;
  /** `source:target` pairs for `media_transcoder`. */
  conversions: string[];
  /** The oldest Diaryx version the plugin runs on, e.g. `1.4.0`. */
  min_app_version?: string;
  server_functions?: ServerFunctionDecl[];
}

/** The input of a guest's `on_event` export. */
export interface GuestEvent {
  event_type: string;
  /** Any JSON; always sent (null when there is none). */
  payload: unknown;
}

/** What `init` receives. Only `workspace_root` is guaranteed; guests ignore unknown keys. */
export interface PluginContext {
  workspace_root: string | null;
  [key: string]: unknown;
}

/** The input of a guest's `handle_command` export; `params` is always present (null when none). */
export interface CommandRequest {
  command: string;
  params: unknown;
}

/** The output of a guest's `handle_command` export. */
export interface CommandResponse {
  success: boolean;
  data?: unknown;
  error?: string | null;
  /** Known codes: `permission_denied`, `config_error`; the kit adds `command_not_declared`. */
  error_code?: string | null;
}

/** A core capability as the Rust adapter exposes it (externally tagged JSON). */
export type CoreCapability =
  | 'FileEvents'
  | 'WorkspaceEvents'
  | 'CrdtCommands'
  | 'SyncTransport'
  | 'EditorExtension'
  | { CustomCommands: { commands: string[] } }
  | { MediaTranscoder: { conversions: string[] } };

/** The core plugin manifest (what the Rust adapter exposes to the app). */
export interface PluginManifest {
  id: string;
  name: string;
  version: string;
  description: string;
  capabilities: CoreCapability[];
  ui: unknown[];
  cli: unknown[];
}

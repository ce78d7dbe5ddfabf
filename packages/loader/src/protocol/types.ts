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
  /** The valid UI elements, typed, with defaults filled in (§3.9); invalid ones are dropped. */
  ui: UiContribution[];
  /** The valid CLI commands, typed, with defaults filled in (§3.10); invalid ones are dropped. */
  cli: CliCommand[];
}

// ---- §3.9 UiContribution: optional fields are null when absent, as Rust serialises them ----

/** Which sidebar a `SidebarTab` sits in. */
export type SidebarSide = 'Left' | 'Right';
/** Where a `StatusBarItem` sits. */
export type StatusBarPosition = 'Left' | 'Center' | 'Right';
/** The context menu a `ContextMenu` element owns. */
export type ContextMenuTarget = 'LeftSidebarTree';
/** How an editor extension's source is edited. */
export type EditMode = 'Popover' | 'SourceToggle' | 'Iframe';
/** Which editor menus show an `insert_command`. */
export type InsertPlacement = 'Picker' | 'PickerAndStylePicker' | 'All';
/** The kind of editor node an `EditorExtension` creates. */
export type EditorNodeType = 'InlineAtom' | 'BlockAtom' | 'InlineMark' | { Builtin: { host_extension_id: string } };

/** An option of a `Select` settings field. */
export interface SelectOption {
  value: string;
  label: string;
}

/** A host action of a `HostWidget` (`payload` is omitted when there is none). */
export interface HostWidgetAction {
  action_type: string;
  payload?: unknown;
}

/** A declarative settings field, tagged by `type`. */
export type SettingsField =
  | { type: 'Text'; key: string; label: string; description: string | null; placeholder: string | null }
  | { type: 'Password'; key: string; label: string; description: string | null; placeholder: string | null }
  | { type: 'Toggle'; key: string; label: string; description: string | null }
  | { type: 'Select'; key: string; label: string; options: SelectOption[]; description: string | null }
  | { type: 'Number'; key: string; label: string; min: number | null; max: number | null }
  | { type: 'Section'; label: string; description: string | null }
  | { type: 'Button'; label: string; command: string; variant: string | null }
  | { type: 'HostActionButton'; label: string; action_type: string; variant: string | null }
  | { type: 'AuthStatus'; label: string; description: string | null }
  | { type: 'UpgradeBanner'; feature: string; description: string | null }
  | { type: 'Conditional'; condition: string; fields: SettingsField[] }
  | { type: 'HostWidget'; widget_id: string; sign_in_action: HostWidgetAction | null };

/** How a panel is rendered, tagged by `type`. */
export type ComponentRef =
  | { type: 'Builtin'; component_id: string }
  | { type: 'Declarative'; fields: SettingsField[] }
  | { type: 'Iframe'; component_id: string };

/** The attribute part of a markdown syntax (`position` defaults to `after_open`). */
export interface AttributeSyntax {
  attribute: string;
  open: string;
  close: string;
  position: string;
}

/** The markdown delimiters of an editor extension (`single_line` defaults to false). */
export interface MarkdownSyntax {
  level: 'Inline' | 'Block';
  open: string;
  close: string;
  attribute_syntax: AttributeSyntax | null;
  single_line: boolean;
}

/** An attribute of an inline mark (`valid_values` defaults to `[]`). */
export interface MarkAttribute {
  name: string;
  default: string;
  html_attribute: string;
  valid_values: string[];
  css_class_prefix: string | null;
}

/** The insert button of an editor extension (`placement` defaults to `Picker`). */
export interface InsertCommand {
  label: string;
  icon: string | null;
  description: string | null;
  placement: InsertPlacement;
}

/** What a click on an editor extension's node does. */
export type ClickBehavior = { ToggleClass: { hidden_class: string; revealed_class: string } };

/** A UI element a plugin contributes, tagged by `slot` (§3.9). */
export type UiContribution =
  | { slot: 'SettingsTab'; id: string; label: string; icon: string | null; fields: SettingsField[]; component: ComponentRef | null }
  | { slot: 'SidebarTab'; id: string; label: string; icon: string | null; side: SidebarSide; component: ComponentRef }
  | { slot: 'CommandPaletteItem'; id: string; label: string; group: string | null; plugin_command: string }
  | { slot: 'CommandPalette'; id: string; label: string | null; component: ComponentRef }
  | { slot: 'ContextMenu'; id: string; label: string | null; target: ContextMenuTarget; component: ComponentRef }
  | { slot: 'StatusBarItem'; id: string; label: string; position: StatusBarPosition; plugin_command: string | null }
  | { slot: 'WorkspaceProvider'; id: string; label: string; description: string | null }
  | {
      slot: 'EditorExtension';
      extension_id: string;
      node_type: EditorNodeType;
      markdown: MarkdownSyntax;
      render_export: string | null;
      edit_mode: EditMode | null;
      iframe_component_id: string | null;
      css: string | null;
      insert_command: InsertCommand | null;
      keyboard_shortcut: string | null;
      click_behavior: ClickBehavior | null;
      html_tag: string | null;
      base_css_class: string | null;
      attributes: MarkAttribute[] | null;
      toolbar: { icon: string; label: string } | null;
    };

// ---- §3.10 CliCommand ----

/** How a CLI argument's value is parsed (default `String`). */
export type CliArgType = 'String' | 'Integer' | 'Float' | 'Boolean' | 'Path';

/** An argument of a plugin's CLI command, defaults filled in. */
export interface CliArg {
  name: string;
  help: string;
  value_type: CliArgType;
  required: boolean;
  default_value: string | null;
  /** A one-character short flag. */
  short: string | null;
  long: string | null;
  is_flag: boolean;
}

/**
 * A CLI command a plugin declares, defaults filled in: `aliases`, `args` and `subcommands`
 * default to `[]`, `requires_workspace` to true. When `command_name` is null the CLI sends the
 * PascalCase of `name`.
 */
export interface CliCommand {
  name: string;
  about: string;
  long_about: string | null;
  aliases: string[];
  args: CliArg[];
  subcommands: CliCommand[];
  command_name: string | null;
  requires_workspace: boolean;
  native_handler: string | null;
}

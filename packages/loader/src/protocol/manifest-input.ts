// What a plugin may write in its manifest, typed: the authoring side of the types in types.ts.
// Derived from them (not written twice): a field the loader reads as null when absent is optional
// here, and so is a field the loader fills with a default; everything else is required, with the
// same names, variants and tags. The TypeScript SDK (@diaryx/js-runtime/sdk) types `definePlugin`'s
// and `outputManifest`'s manifest with these, so a typo in a slot, a field type or a field name is
// a type error in the editor.
import type { PermissionKey, PermissionRule } from '@diaryx/host-fns';
import type {
  AttributeSyntax,
  CliArg,
  CliCommand,
  ComponentRef,
  InsertCommand,
  MarkAttribute,
  MarkdownSyntax,
  ServerFunctionDecl,
  SettingsField,
  UiContribution,
} from './types.js';

/** The keys of T whose value may be null: the loader reads them as null when absent. */
type NullableKeys<T> = { [K in keyof T]-?: null extends T[K] ? K : never }[keyof T];

/** Flattens an intersection for readable hovers. */
type Flat<T> = { [K in keyof T]: T[K] } & {};

/**
 * One type as a manifest may write it: nullable fields and `Defaulted` ones optional, nested
 * protocol types in their authoring form. Distributes over a union of variants.
 */
type Authored<T, Defaulted extends PropertyKey = never> = T extends unknown
  ? Flat<
      { [K in Exclude<keyof T, NullableKeys<T> | Defaulted>]: Input<T[K]> } & {
        [K in Extract<keyof T, NullableKeys<T> | Defaulted>]?: Input<T[K]>;
      }
    >
  : never;

/** A nested value in its authoring form (lists of them included); anything else as it is. */
type Input<V> = V extends readonly (infer U)[]
  ? Input<U>[]
  : V extends SettingsField
    ? SettingsFieldInput
    : V extends ComponentRef
      ? ComponentRefInput
      : V extends MarkdownSyntax
        ? MarkdownSyntaxInput
        : V extends AttributeSyntax
          ? AttributeSyntaxInput
          : V extends MarkAttribute
            ? MarkAttributeInput
            : V extends InsertCommand
              ? InsertCommandInput
              : V extends CliArg
                ? CliArgInput
                : V extends CliCommand
                  ? CliCommandInput
                  : V;

/** A declarative settings field (`{"type": "Text", "key": …, "label": …}`, …), tagged by `type` (§3.9). */
export type SettingsFieldInput = Authored<SettingsField>;
/** How a panel is rendered (`Builtin`, `Declarative`, `Iframe`), tagged by `type` (§3.9). */
export type ComponentRefInput = Authored<ComponentRef>;
/** The markdown delimiters of an editor extension; `single_line` defaults to false. */
export type MarkdownSyntaxInput = Authored<MarkdownSyntax, 'single_line'>;
/** The attribute part of a markdown syntax; `position` defaults to `after_open`. */
export type AttributeSyntaxInput = Authored<AttributeSyntax, 'position'>;
/** An attribute of an inline mark; `valid_values` defaults to `[]`. */
export type MarkAttributeInput = Authored<MarkAttribute, 'valid_values'>;
/** The insert button of an editor extension; `placement` defaults to `Picker`. */
export type InsertCommandInput = Authored<InsertCommand, 'placement'>;
/** An argument of a CLI command; `value_type` defaults to `String`, `required` and `is_flag` to false. */
export type CliArgInput = Authored<CliArg, 'value_type' | 'required' | 'is_flag'>;
/**
 * A CLI command a plugin declares (§3.10); `aliases`, `args` and `subcommands` default to `[]`,
 * `requires_workspace` to true.
 */
export type CliCommandInput = Authored<CliCommand, 'aliases' | 'args' | 'subcommands' | 'requires_workspace'>;
/** A UI element a plugin contributes, tagged by `slot` (§3.9): the eight slots Diaryx 1.4.1 knows. */
export type UiContributionInput = Authored<UiContribution>;

/** A permission rule as a manifest writes it: `include` and `exclude` default to `[]`. */
export type PermissionRuleInput = Partial<PermissionRule>;

/** The capability strings Diaryx 1.4.1 knows (others are dropped with a warning, §3.8). */
export type KnownCapability =
  | 'file_events'
  | 'workspace_events'
  | 'crdt_commands'
  | 'sync_transport'
  | 'custom_commands'
  | 'editor_extension'
  | 'media_transcoder';

/**
 * What a plugin's `manifest` export returns (§3.2), as it may write it: `id`, `name`, `version`,
 * `description` and `capabilities` are required; the lists default to `[]`; `ui` and `cli`
 * elements are typed (a slot, field type or field name the loader does not know is a type error).
 */
export interface GuestManifestInput {
  id: string;
  name: string;
  version: string;
  description: string;
  /** Known capabilities (see {@link KnownCapability}); an unknown string is dropped by the host. */
  capabilities: Array<KnownCapability | (string & {})>;
  /** Default 1, the current protocol (Rust 1.4.1). */
  protocol_version?: number;
  /** Custom command names (reachable only with the `custom_commands` capability). */
  commands?: string[];
  /** UI contributions: settings tabs, sidebar tabs, command palette items, … (§3.9). */
  ui?: UiContributionInput[];
  /** CLI commands (§3.10). */
  cli?: CliCommandInput[];
  /** The permissions the plugin asks for, with a reason for each (what the app shows the user). */
  requested_permissions?: {
    defaults?: Partial<Record<PermissionKey, PermissionRuleInput>>;
    reasons?: Partial<Record<PermissionKey, string>>;
  } | null;
  /** `source:target` pairs for `media_transcoder`, e.g. `heic:jpeg`. */
  conversions?: string[];
  /** The oldest Diaryx version the plugin runs on, e.g. `1.4.0`. */
  min_app_version?: string;
  /** Server functions (declarative only). */
  server_functions?: ServerFunctionDecl[];
}

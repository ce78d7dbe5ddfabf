import {
  anyJson,
  boolean,
  char,
  external,
  float,
  list,
  optional,
  type Reader,
  required,
  string,
  struct,
  tagged,
  variant,
  withDefault,
} from './element-schema.js';
import type {
  AttributeSyntax,
  ClickBehavior,
  CliArg,
  CliCommand,
  ComponentRef,
  EditorNodeType,
  HostWidgetAction,
  InsertCommand,
  MarkAttribute,
  MarkdownSyntax,
  SelectOption,
  SettingsField,
  UiContribution,
} from './types.js';

// §3.9, nested types first.

const option = struct<SelectOption>({ value: required(string), label: required(string) });

const hostWidgetAction: Reader<HostWidgetAction> = (v, p) => {
  const action = struct<{ action_type: string; payload: unknown }>({ action_type: required(string), payload: optional(anyJson) })(v, p);
  // `payload` is omitted when there is none.
  return action.payload === null ? { action_type: action.action_type } : action;
};

const settingsField: Reader<SettingsField> = (v, p) => settingsFieldVariants(v, p);

const text = { key: required(string), label: required(string), description: optional(string), placeholder: optional(string) };
const settingsFieldVariants: Reader<SettingsField> = tagged<SettingsField>('type', {
  Text: struct(text),
  Password: struct(text),
  Toggle: struct({ key: required(string), label: required(string), description: optional(string) }),
  Select: struct({ key: required(string), label: required(string), options: required(list(option)), description: optional(string) }),
  Number: struct({ key: required(string), label: required(string), min: optional(float), max: optional(float) }),
  Section: struct({ label: required(string), description: optional(string) }),
  Button: struct({ label: required(string), command: required(string), variant: optional(string) }),
  HostActionButton: struct({ label: required(string), action_type: required(string), variant: optional(string) }),
  AuthStatus: struct({ label: required(string), description: optional(string) }),
  UpgradeBanner: struct({ feature: required(string), description: optional(string) }),
  Conditional: struct({ condition: required(string), fields: required(list(settingsField)) }),
  HostWidget: struct({ widget_id: required(string), sign_in_action: optional(hostWidgetAction) }),
});

const componentRef = tagged<ComponentRef>('type', {
  Builtin: struct({ component_id: required(string) }),
  Declarative: struct({ fields: required(list(settingsField)) }),
  Iframe: struct({ component_id: required(string) }),
});

const nodeType = external<EditorNodeType>(['InlineAtom', 'BlockAtom', 'InlineMark'], {
  Builtin: struct({ host_extension_id: required(string) }),
});

const attributeSyntax = struct<AttributeSyntax>({
  attribute: required(string),
  open: required(string),
  close: required(string),
  position: withDefault(string, () => 'after_open'),
});

const markdownSyntax = struct<MarkdownSyntax>({
  level: required(variant('Inline', 'Block')),
  open: required(string),
  close: required(string),
  attribute_syntax: optional(attributeSyntax),
  single_line: withDefault(boolean, () => false),
});

const markAttribute = struct<MarkAttribute>({
  name: required(string),
  default: required(string),
  html_attribute: required(string),
  valid_values: withDefault(list(string), () => []),
  css_class_prefix: optional(string),
});

const insertCommand = struct<InsertCommand>({
  label: required(string),
  icon: optional(string),
  description: optional(string),
  placement: withDefault(variant('Picker', 'PickerAndStylePicker', 'All'), () => 'Picker' as const),
});

const clickBehavior = external<ClickBehavior>([], {
  ToggleClass: struct({ hidden_class: required(string), revealed_class: required(string) }),
});

/** The slots Diaryx 1.4.1 knows, and how each is read. */
const UI_SLOTS = {
  SettingsTab: struct({ id: required(string), label: required(string), icon: optional(string), fields: required(list(settingsField)), component: optional(componentRef) }),
  SidebarTab: struct({ id: required(string), label: required(string), icon: optional(string), side: required(variant('Left', 'Right')), component: required(componentRef) }),
  CommandPaletteItem: struct({ id: required(string), label: required(string), group: optional(string), plugin_command: required(string) }),
  CommandPalette: struct({ id: required(string), label: optional(string), component: required(componentRef) }),
  ContextMenu: struct({ id: required(string), label: optional(string), target: required(variant('LeftSidebarTree')), component: required(componentRef) }),
  StatusBarItem: struct({ id: required(string), label: required(string), position: required(variant('Left', 'Center', 'Right')), plugin_command: optional(string) }),
  WorkspaceProvider: struct({ id: required(string), label: required(string), description: optional(string) }),
  EditorExtension: struct({
    extension_id: required(string),
    node_type: required(nodeType),
    markdown: required(markdownSyntax),
    render_export: optional(string),
    edit_mode: optional(variant('Popover', 'SourceToggle', 'Iframe')),
    iframe_component_id: optional(string),
    css: optional(string),
    insert_command: optional(insertCommand),
    keyboard_shortcut: optional(string),
    click_behavior: optional(clickBehavior),
    html_tag: optional(string),
    base_css_class: optional(string),
    attributes: optional(list(markAttribute)),
    toolbar: optional(struct({ icon: required(string), label: required(string) })),
  }),
} satisfies Record<string, Reader<object>>;

/** The `slot` values Diaryx 1.4.1 knows (§3.9). */
export const KNOWN_UI_SLOTS = Object.keys(UI_SLOTS) as ReadonlyArray<UiContribution['slot']>;

/**
 * Reads one `ui` element into its typed shape (§3.9), defaults filled in.
 * @throws ElementFieldError naming the field that is missing, mistyped or an unknown variant
 */
export const readUiContribution: Reader<UiContribution> = tagged<UiContribution>('slot', UI_SLOTS);

const cliArg = struct<CliArg>({
  name: required(string),
  help: required(string),
  value_type: withDefault(variant('String', 'Integer', 'Float', 'Boolean', 'Path'), () => 'String' as const),
  required: withDefault(boolean, () => false),
  default_value: optional(string),
  short: optional(char),
  long: optional(string),
  is_flag: withDefault(boolean, () => false),
});

/**
 * Reads one `cli` element into its typed shape (§3.10), defaults filled in (`aliases`, `args`,
 * `subcommands` → `[]`, `requires_workspace` → true), subcommands included.
 * @throws ElementFieldError naming the field
 */
export const readCliCommand: Reader<CliCommand> = (v, p) => cliCommand(v, p);
const cliCommand: Reader<CliCommand> = struct<CliCommand>({
  name: required(string),
  about: required(string),
  long_about: optional(string),
  aliases: withDefault(list(string), () => []),
  args: withDefault(list(cliArg), () => []),
  subcommands: withDefault(list(readCliCommand), () => []),
  command_name: optional(string),
  requires_workspace: withDefault(boolean, () => true),
  native_handler: optional(string),
});

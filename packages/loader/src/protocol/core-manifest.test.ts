import { describe, expect, it } from 'vitest';
import { declaresCommand, toCoreManifest } from './core-manifest.js';
import { parseGuestManifest } from './manifest-parse.js';

const base = { id: 'p', name: 'P', version: '1', description: 'd', capabilities: [] as string[] };
const core = (fields: Record<string, unknown>) => toCoreManifest(parseGuestManifest(JSON.stringify({ ...base, ...fields })));
const ui = (element: unknown) => core({ ui: [element] });
const cli = (element: unknown) => core({ cli: [element] });

/** spoiler's element as Diaryx's plugin declares it: no `placement`, so the default applies. */
const SPOILER = {
  slot: 'EditorExtension',
  extension_id: 'spoiler',
  node_type: 'InlineMark',
  markdown: { level: 'Inline', open: '||', close: '||' },
  keyboard_shortcut: 'Mod-Shift-s',
  click_behavior: { ToggleClass: { hidden_class: 'spoiler-hidden', revealed_class: 'spoiler-revealed' } },
  html_tag: 'span',
  base_css_class: 'spoiler-mark',
  insert_command: { label: 'Spoiler', icon: 'eye-off', description: 'Hide text until clicked' },
};
const COMPONENT = { type: 'Builtin', component_id: 'c' };

describe('§3.8 capabilities (AB-P8)', () => {
  it('maps capabilities, keeps order and duplicates, drops unknown and wrong-case ones with a warning', () => {
    const result = core({
      capabilities: ['file_events', 'custom_commands', 'File_Events', 'media_transcoder', 'file_events', 'lifecycle'],
      commands: ['count'],
      conversions: ['heic:jpeg'],
    });
    expect(result.manifest.capabilities).toEqual([
      'FileEvents',
      { CustomCommands: { commands: ['count'] } },
      { MediaTranscoder: { conversions: ['heic:jpeg'] } },
      'FileEvents',
    ]);
    expect(result.warnings).toEqual(["Plugin 'p': Unknown capability: File_Events", "Plugin 'p': Unknown capability: lifecycle"]);
  });

  it('declares a command only with custom_commands and the exact name (§8.5)', () => {
    const m = parseGuestManifest(JSON.stringify({ ...base, capabilities: ['custom_commands'], commands: ['count'] }));
    expect(declaresCommand(m, 'count')).toBe(true);
    expect(declaresCommand(m, 'Count')).toBe(false);
    expect(declaresCommand(parseGuestManifest(JSON.stringify({ ...base, commands: ['count'] })), 'count')).toBe(false);
  });
});

describe('§3.9 UiContribution: typed, with defaults (AB-P9, AB-P10)', () => {
  it('§3.9 an EditorExtension insert_command without placement gets "Picker"; absent optional fields are null', () => {
    const { manifest, warnings } = ui(SPOILER);
    expect(warnings).toEqual([]);
    expect(manifest.ui).toEqual([
      {
        slot: 'EditorExtension',
        extension_id: 'spoiler',
        node_type: 'InlineMark',
        markdown: { level: 'Inline', open: '||', close: '||', attribute_syntax: null, single_line: false },
        render_export: null,
        edit_mode: null,
        iframe_component_id: null,
        css: null,
        insert_command: { label: 'Spoiler', icon: 'eye-off', description: 'Hide text until clicked', placement: 'Picker' },
        keyboard_shortcut: 'Mod-Shift-s',
        click_behavior: { ToggleClass: { hidden_class: 'spoiler-hidden', revealed_class: 'spoiler-revealed' } },
        html_tag: 'span',
        base_css_class: 'spoiler-mark',
        attributes: null,
        toolbar: null,
      },
    ]);
  });

  it('§3.9 a BlockAtom with a render export and a Builtin node type with mark attributes parse, nested defaults filled in', () => {
    const math = {
      slot: 'EditorExtension',
      extension_id: 'math',
      node_type: 'BlockAtom',
      markdown: { level: 'Block', open: '$$', close: '$$', single_line: true },
      render_export: 'render_math',
      edit_mode: 'SourceToggle',
      css: '.math{}',
      insert_command: { label: 'Math', placement: 'All' },
    };
    const highlight = {
      slot: 'EditorExtension',
      extension_id: 'highlight',
      node_type: { Builtin: { host_extension_id: 'highlight' } },
      markdown: { level: 'Inline', open: '==', close: '==', attribute_syntax: { attribute: 'color', open: '{', close: '}' } },
      attributes: [{ name: 'color', default: 'yellow', html_attribute: 'data-color' }],
      toolbar: { icon: 'highlighter', label: 'Highlight' },
    };
    const { manifest, warnings } = core({ ui: [math, highlight] });
    expect(warnings).toEqual([]);
    expect(manifest.ui[0]).toMatchObject({ node_type: 'BlockAtom', edit_mode: 'SourceToggle', insert_command: { label: 'Math', icon: null, description: null, placement: 'All' } });
    expect(manifest.ui[0]).toMatchObject({ markdown: { single_line: true, attribute_syntax: null } });
    expect(manifest.ui[1]).toMatchObject({
      node_type: { Builtin: { host_extension_id: 'highlight' } },
      markdown: { attribute_syntax: { attribute: 'color', open: '{', close: '}', position: 'after_open' } },
      attributes: [{ name: 'color', default: 'yellow', html_attribute: 'data-color', valid_values: [], css_class_prefix: null }],
      toolbar: { icon: 'highlighter', label: 'Highlight' },
    });
  });

  it.each([
    [{ slot: 'SettingsTab', id: 's', label: 'S', fields: [] }, { icon: null, component: null }],
    [{ slot: 'SidebarTab', id: 's', label: 'S', side: 'Right', component: COMPONENT }, { icon: null }],
    [{ slot: 'CommandPaletteItem', id: 'wc', label: 'Count words', plugin_command: 'count' }, { group: null }],
    [{ slot: 'CommandPalette', id: 'cp', component: { type: 'Iframe', component_id: 'palette' } }, { label: null }],
    [{ slot: 'ContextMenu', id: 'cm', target: 'LeftSidebarTree', component: { type: 'Declarative', fields: [] } }, { label: null }],
    [{ slot: 'StatusBarItem', id: 'sb', label: 'Words', position: 'Center' }, { plugin_command: null }],
    [{ slot: 'WorkspaceProvider', id: 'wp', label: 'Cloud' }, { description: null }],
  ])('§3.9 the %j element parses with its optional fields null', (element, nulls) => {
    const { manifest, warnings } = ui(element);
    expect(warnings).toEqual([]);
    expect(manifest.ui).toEqual([{ ...element, ...nulls }]);
  });

  it('§3.9 every SettingsField and ComponentRef variant is read, nested Conditional fields included', () => {
    const fields = [
      { type: 'Text', key: 'a', label: 'A' },
      { type: 'Password', key: 'b', label: 'B', placeholder: '••' },
      { type: 'Toggle', key: 'c', label: 'C' },
      { type: 'Select', key: 'd', label: 'D', options: [{ value: 'x', label: 'X' }] },
      { type: 'Number', key: 'e', label: 'E', min: 0.5 },
      { type: 'Section', label: 'F' },
      { type: 'Button', label: 'G', command: 'go' },
      { type: 'HostActionButton', label: 'H', action_type: 'sign_in', variant: 'outline' },
      { type: 'AuthStatus', label: 'I' },
      { type: 'UpgradeBanner', feature: 'sync' },
      { type: 'Conditional', condition: 'authenticated', fields: [{ type: 'Toggle', key: 'j', label: 'J', extra: 1 }] },
      { type: 'HostWidget', widget_id: 'w', sign_in_action: { action_type: 'open' } },
      { type: 'HostWidget', widget_id: 'w2', sign_in_action: { action_type: 'open', payload: { a: 1 } } },
    ];
    const { manifest, warnings } = ui({ slot: 'SettingsTab', id: 's', label: 'S', fields, component: { type: 'Declarative', fields: [fields[0]] } });
    expect(warnings).toEqual([]);
    const read = (manifest.ui[0] as { fields: unknown[] }).fields;
    expect(read[0]).toEqual({ type: 'Text', key: 'a', label: 'A', description: null, placeholder: null });
    expect(read[4]).toEqual({ type: 'Number', key: 'e', label: 'E', min: 0.5, max: null });
    expect(read[10]).toEqual({ type: 'Conditional', condition: 'authenticated', fields: [{ type: 'Toggle', key: 'j', label: 'J', description: null }] });
    expect(read[11]).toEqual({ type: 'HostWidget', widget_id: 'w', sign_in_action: { action_type: 'open' } });
    expect(read[12]).toEqual({ type: 'HostWidget', widget_id: 'w2', sign_in_action: { action_type: 'open', payload: { a: 1 } } });
  });

  it('§3.1 unknown fields are ignored and not kept', () => {
    const { manifest } = ui({ slot: 'WorkspaceProvider', id: 'wp', label: 'Cloud', future: true });
    expect(manifest.ui).toEqual([{ slot: 'WorkspaceProvider', id: 'wp', label: 'Cloud', description: null }]);
  });
});

describe('§3.9 a bad element is dropped with a warning naming the plugin, the element and the field (AB-P9)', () => {
  it.each([
    ['a missing required field', { slot: 'SidebarTab', id: 's', label: 'S', component: COMPONENT }, "ui[0] (SidebarTab 's'): missing field `side`"],
    ['null for a required field', { slot: 'CommandPaletteItem', id: 'wc', label: null, plugin_command: 'c' }, "ui[0] (CommandPaletteItem 'wc'): field label: invalid type: null, expected a string"],
    ['an unknown side', { slot: 'SidebarTab', id: 's', label: 'S', side: 'Top', component: COMPONENT }, "field side: unknown variant `Top`, expected one of `Left`, `Right`"],
    ['an unknown status bar position', { slot: 'StatusBarItem', id: 'sb', label: 'L', position: 'left' }, 'field position: unknown variant `left`, expected one of `Left`, `Center`, `Right`'],
    ['an unknown placement', { ...SPOILER, insert_command: { label: 'S', placement: 'Sideways' } }, "ui[0] (EditorExtension 'spoiler'): field insert_command.placement: unknown variant `Sideways`, expected one of `Picker`, `PickerAndStylePicker`, `All`"],
    ['a wrong-typed nested field', { ...SPOILER, markdown: { level: 'Inline', open: 1, close: '||' } }, 'field markdown.open: invalid type: integer `1`, expected a string'],
    ['an unknown node type', { ...SPOILER, node_type: 'Paragraph' }, 'field node_type: unknown variant `Paragraph`'],
    ['null for a defaulted field', { ...SPOILER, markdown: { level: 'Inline', open: '|', close: '|', single_line: null } }, 'field markdown.single_line: invalid type: null, expected a boolean'],
    ['an unknown settings field type', { slot: 'SettingsTab', id: 's', label: 'S', fields: [{ type: 'Slider', key: 'k' }] }, 'field fields[0].type: unknown variant `Slider`'],
    ['a bad select option deep inside a component', { slot: 'CommandPalette', id: 'cp', component: { type: 'Declarative', fields: [{ type: 'Select', key: 'k', label: 'K', options: [{ value: 1, label: 'x' }] }] } }, 'field component.fields[0].options[0].value: invalid type: integer `1`, expected a string'],
    ['a component without a type', { slot: 'SidebarTab', id: 's', label: 'S', side: 'Left', component: { component_id: 'c' } }, "field component: missing field `type`"],
    ['a wrong context menu target', { slot: 'ContextMenu', id: 'cm', target: 'RightSidebarTree', component: COMPONENT }, 'field target: unknown variant `RightSidebarTree`, expected one of `LeftSidebarTree`'],
    ['an edit mode of the wrong case', { ...SPOILER, edit_mode: 'popover' }, 'field edit_mode: unknown variant `popover`'],
    ['a click behavior that is not ToggleClass', { ...SPOILER, click_behavior: { Toggle: {} } }, 'field click_behavior: unknown variant `Toggle`, expected one of `ToggleClass`'],
    ['a slot that is not a string', { slot: 3, id: 'x' }, "ui[0] ('x'): field slot: invalid type: integer `3`, expected a variant name"],
    ['no slot', { id: 'x', label: 'X' }, "ui[0] ('x'): missing field `slot`"],
    ['an element that is not an object', 'text', 'ui[0]: invalid type: string "text", expected an object tagged by `slot`'],
  ])('§3.9 %s', (_, element, warning) => {
    const { manifest, warnings } = core({ ui: [element, { slot: 'WorkspaceProvider', id: 'kept', label: 'K' }] });
    expect(manifest.ui).toEqual([{ slot: 'WorkspaceProvider', id: 'kept', label: 'K', description: null }]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^Plugin 'p': dropping ui\[0\]/);
    expect(warnings[0]).toContain(warning);
  });

  it.each([
    ['ToolbarButton', { slot: 'ToolbarButton', id: 'ai-chat', label: 'Ask AI', plugin_command: 'chat' }, "Plugin 'p': dropping ui[0] (ToolbarButton 'ai-chat'): the slot `ToolbarButton` is not known to Diaryx 1.4.1"],
    ['StorageProvider', { slot: 'StorageProvider', id: 'gdrive', label: 'Google Drive' }, "Plugin 'p': dropping ui[0] (StorageProvider 'gdrive'): the slot `StorageProvider` is not known to Diaryx 1.4.1"],
  ])('§3.9 a %s (a slot 1.4.1 does not know, from ai and the storage plugins) is dropped with a warning naming the plugin and the slot', (_, element, warning) => {
    const { manifest, warnings } = ui(element);
    expect(manifest.ui).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining(warning)]);
    expect(warnings[0]).toContain('known: SettingsTab, SidebarTab, CommandPaletteItem, CommandPalette, ContextMenu, StatusBarItem, WorkspaceProvider, EditorExtension');
  });
});

describe('§3.10 CliCommand: typed, with defaults', () => {
  it('§3.10 fills in aliases, args and subcommands ([]) and requires_workspace (true); optional fields are null', () => {
    const { manifest, warnings } = cli({ name: 'count', about: 'Count words' });
    expect(warnings).toEqual([]);
    expect(manifest.cli).toEqual([
      { name: 'count', about: 'Count words', long_about: null, aliases: [], args: [], subcommands: [], command_name: null, requires_workspace: true, native_handler: null },
    ]);
  });

  it('§3.10 CliArg defaults: value_type String, required false, is_flag false; nested subcommands are read too', () => {
    const { manifest } = cli({
      name: 'sync',
      about: 'Sync',
      requires_workspace: false,
      subcommands: [{ name: 'start', about: 'Start', aliases: ['go'], args: [{ name: 'port', help: 'Port', value_type: 'Integer', short: 'p', long: 'port' }, { name: 'dry', help: 'Dry run', is_flag: true, short: 'é' }] }],
    });
    expect(manifest.cli[0]).toMatchObject({ requires_workspace: false });
    expect(manifest.cli[0]!.subcommands[0]).toEqual({
      name: 'start',
      about: 'Start',
      long_about: null,
      aliases: ['go'],
      args: [
        { name: 'port', help: 'Port', value_type: 'Integer', required: false, default_value: null, short: 'p', long: 'port', is_flag: false },
        { name: 'dry', help: 'Dry run', value_type: 'String', required: false, default_value: null, short: 'é', long: null, is_flag: true },
      ],
      subcommands: [],
      command_name: null,
      requires_workspace: true,
      native_handler: null,
    });
  });

  it.each([
    ['no about', { name: 'x' }, "cli[0] ('x'): missing field `about`"],
    ['a short of two characters', { name: 'x', about: 'X', args: [{ name: 'a', help: 'h', short: 'ab' }] }, 'field args[0].short: invalid type: string "ab", expected a character'],
    ['an unknown value type', { name: 'x', about: 'X', args: [{ name: 'a', help: 'h', value_type: 'Date' }] }, 'field args[0].value_type: unknown variant `Date`'],
    ['null requires_workspace', { name: 'x', about: 'X', requires_workspace: null }, 'field requires_workspace: invalid type: null, expected a boolean'],
    ['a bad nested subcommand', { name: 'x', about: 'X', subcommands: [{ name: 'y', about: 'Y', aliases: 'z' }] }, 'field subcommands[0].aliases: invalid type: string "z", expected a sequence'],
  ])('§3.10 a command with %s is dropped with a warning naming the field', (_, element, warning) => {
    const { manifest, warnings } = core({ cli: [element, { name: 'kept', about: 'K' }] });
    expect(manifest.cli.map((c) => c.name)).toEqual(['kept']);
    expect(warnings).toEqual([expect.stringContaining(`Plugin 'p': dropping cli[0]`)]);
    expect(warnings[0]).toContain(warning);
  });
});

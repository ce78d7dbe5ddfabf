// The manifest's ui and cli elements, typed for authors (manifest-input.ts, checked by `tsc` in
// this package's typecheck: each @ts-expect-error line must be a type error) and judged before
// shipping (manifest-elements.ts): the same elements the loader drops are errors, unknown slots warnings.
import { describe, expect, it } from 'vitest';
import { checkManifestElements } from './manifest-elements.js';
import type { CliCommandInput, GuestManifestInput, UiContributionInput } from './manifest-input.js';
import { toCoreManifest } from './core-manifest.js';
import { parseGuestManifest } from './manifest-parse.js';

/** One element of every slot Diaryx 1.4.1 knows, written with only the required fields. */
const everySlot: UiContributionInput[] = [
  {
    slot: 'SettingsTab',
    id: 'sync',
    label: 'Sync',
    fields: [
      { type: 'Text', key: 'server', label: 'Server', placeholder: 'https://…' },
      { type: 'Password', key: 'token', label: 'Token' },
      { type: 'Toggle', key: 'auto', label: 'Sync on save' },
      { type: 'Select', key: 'mode', label: 'Mode', options: [{ value: 'fast', label: 'Fast' }] },
      { type: 'Number', key: 'every', label: 'Every (minutes)', min: 1 },
      { type: 'Section', label: 'Advanced' },
      { type: 'Button', label: 'Sync now', command: 'sync' },
      { type: 'HostActionButton', label: 'Sign in', action_type: 'sign_in' },
      { type: 'AuthStatus', label: 'Account' },
      { type: 'UpgradeBanner', feature: 'sync' },
      { type: 'Conditional', condition: 'auto', fields: [{ type: 'Toggle', key: 'quiet', label: 'Quietly' }] },
      { type: 'HostWidget', widget_id: 'account', sign_in_action: { action_type: 'sign_in' } },
    ],
  },
  { slot: 'SidebarTab', id: 'tags', label: 'Tags', side: 'Left', component: { type: 'Declarative', fields: [] } },
  { slot: 'CommandPaletteItem', id: 'count', label: 'Count words', plugin_command: 'count' },
  { slot: 'CommandPalette', id: 'palette', component: { type: 'Builtin', component_id: 'palette' } },
  { slot: 'ContextMenu', id: 'menu', target: 'LeftSidebarTree', component: { type: 'Iframe', component_id: 'menu' } },
  { slot: 'StatusBarItem', id: 'words', label: '0 words', position: 'Right' },
  { slot: 'WorkspaceProvider', id: 'cloud', label: 'Cloud' },
  {
    slot: 'EditorExtension',
    extension_id: 'highlight',
    node_type: 'InlineMark',
    markdown: { level: 'Inline', open: '==', close: '==' },
    insert_command: { label: 'Highlight' },
    attributes: [{ name: 'color', default: 'yellow', html_attribute: 'data-color' }],
  },
];

const everyCli: CliCommandInput[] = [
  { name: 'export', about: 'Exports the notes', args: [{ name: 'out', help: 'The folder', value_type: 'Path' }], subcommands: [{ name: 'all', about: 'Everything' }] },
];

describe('the authoring types of ui and cli (manifest-input.ts)', () => {
  it('accept an element of every slot, written with only its required fields, and the loader keeps each', () => {
    const manifest: GuestManifestInput = { id: 'a.b', name: 'A', version: '1', description: 'd', capabilities: ['custom_commands'], ui: everySlot, cli: everyCli };
    expect(checkManifestElements(manifest)).toEqual([]);
    const core = toCoreManifest(parseGuestManifest(JSON.stringify(manifest)));
    expect(core.warnings).toEqual([]);
    expect(core.manifest.ui.map((element) => element.slot)).toEqual(everySlot.map((element) => element.slot));
    expect(core.manifest.cli).toHaveLength(1);
  });

  it('make a field type that does not exist, a missing label, a wrong-typed value and an unknown slot type errors', () => {
    const mistakes: UiContributionInput[] = [
      // @ts-expect-error a field type that does not exist (the loader drops the tab)
      { slot: 'SettingsTab', id: 's', label: 'S', fields: [{ type: 'TextInput', key: 'k', label: 'K' }] },
      // @ts-expect-error a field without its label
      { slot: 'SettingsTab', id: 's', label: 'S', fields: [{ type: 'Toggle', key: 'k' }] },
      // @ts-expect-error a wrong-typed value (min is a number)
      { slot: 'SettingsTab', id: 's', label: 'S', fields: [{ type: 'Number', key: 'k', label: 'K', min: '1' }] },
      // @ts-expect-error a slot Diaryx 1.4.1 does not know
      { slot: 'ToolbarButton', id: 't', label: 'T' },
      // @ts-expect-error a typo in a field name
      { slot: 'CommandPaletteItem', id: 'c', label: 'C', plugin_commnd: 'count' },
    ];
    expect(mistakes).toHaveLength(5);
    // @ts-expect-error a requested permission key that does not exist
    const permissions: GuestManifestInput['requested_permissions'] = { reasons: { read_file: 'typo' } };
    expect(permissions).toBeDefined();
  });
});

describe('checkManifestElements: what the loader would drop, before shipping', () => {
  const tab = (fields: unknown[]) => ({ slot: 'SettingsTab', id: 'sync', label: 'Sync', fields });

  it('a field type that does not exist is an error naming the element and the field', () => {
    const [problem, ...rest] = checkManifestElements({ ui: [tab([{ type: 'TextInput', key: 'k', label: 'K' }])] });
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ severity: 'error', element: "ui[0] (SettingsTab 'sync')", field: 'fields[0].type' });
    expect(problem!.message).toBe(
      "ui[0] (SettingsTab 'sync'): field fields[0].type: unknown variant `TextInput`, expected one of `Text`, `Password`, `Toggle`, `Select`, `Number`, `Section`, `Button`, `HostActionButton`, `AuthStatus`, `UpgradeBanner`, `Conditional`, `HostWidget`; Diaryx 1.4.1 drops this element",
    );
  });

  it('a missing label and a wrong-typed value are errors naming the field', () => {
    const problems = checkManifestElements({ ui: [tab([{ type: 'Toggle', key: 'k' }]), tab([{ type: 'Number', key: 'k', label: 'K', min: '1' }])] });
    expect(problems.map((p) => [p.severity, p.field, p.message.split(': ').slice(1).join(': ')])).toEqual([
      ['error', 'fields[0]', 'field fields[0]: missing field `label`; Diaryx 1.4.1 drops this element'],
      ['error', 'fields[0].min', 'field fields[0].min: invalid type: string "1", expected f64; Diaryx 1.4.1 drops this element'],
    ]);
  });

  it('a slot the target does not know is a warning naming the slot (1.4.1 drops ToolbarButton, StorageProvider, BlockPickerItem)', () => {
    const problems = checkManifestElements({ ui: ['ToolbarButton', 'StorageProvider', 'BlockPickerItem'].map((slot) => ({ slot, id: slot.toLowerCase() })) });
    expect(problems.map((p) => p.severity)).toEqual(['warning', 'warning', 'warning']);
    expect(problems[0]!.message).toMatch(/^ui\[0\] \(ToolbarButton 'toolbarbutton'\): the slot `ToolbarButton` is not known to Diaryx 1\.4\.1, which drops the element/);
  });

  it('--app-version names the target in the message', () => {
    const [problem] = checkManifestElements({ ui: [{ slot: 'BlockPickerItem', id: 'b' }] }, '1.6.1');
    expect(problem!.message).toContain('is not known to Diaryx 1.6.1 (judged by the 1.4.1 element schema');
  });

  it('a cli command without its about is an error; a good one passes', () => {
    expect(checkManifestElements({ cli: [{ name: 'export' }, { name: 'ok', about: 'fine' }] }).map((p) => p.message)).toEqual([
      "cli[0] ('export'): missing field `about`; Diaryx 1.4.1 drops this element",
    ]);
  });

  it('agrees with the loader: every element the check lets through is kept by toCoreManifest, every error is dropped', () => {
    const ui = [tab([{ type: 'TextInput', key: 'k', label: 'K' }]), ...everySlot, { slot: 'StatusBarItem', id: 'x', label: 'X', position: 'Top' }];
    const errors = checkManifestElements({ ui }).filter((p) => p.severity === 'error');
    const core = toCoreManifest(parseGuestManifest(JSON.stringify({ id: 'a', name: 'a', version: '1', description: 'd', capabilities: [], ui })));
    expect(core.manifest.ui).toHaveLength(ui.length - errors.length);
    expect(core.warnings).toHaveLength(errors.length);
  });
});

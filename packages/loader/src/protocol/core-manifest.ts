import type { HostLogger } from '@diaryx/host-fns';
import type { CoreCapability, GuestManifest, PluginManifest } from './types.js';

const SIMPLE_CAPABILITIES: Record<string, CoreCapability> = {
  file_events: 'FileEvents',
  workspace_events: 'WorkspaceEvents',
  crdt_commands: 'CrdtCommands',
  sync_transport: 'SyncTransport',
  editor_extension: 'EditorExtension',
};

// Required top-level fields of each UiContribution variant (§3.9); nested shapes are the app's.
const UI_REQUIRED: Record<string, string[]> = {
  SettingsTab: ['id', 'label', 'fields'],
  SidebarTab: ['id', 'label', 'side', 'component'],
  CommandPaletteItem: ['id', 'label', 'plugin_command'],
  CommandPalette: ['id', 'component'],
  ContextMenu: ['id', 'target', 'component'],
  StatusBarItem: ['id', 'label', 'position'],
  WorkspaceProvider: ['id', 'label'],
  EditorExtension: ['extension_id', 'node_type', 'markdown'],
};

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function uiProblem(element: unknown): string | null {
  if (!isObject(element)) return 'not an object';
  const slot = element['slot'];
  if (typeof slot !== 'string' || !(slot in UI_REQUIRED)) return `unknown slot ${JSON.stringify(slot)}`;
  const missing = UI_REQUIRED[slot]!.filter((key) => element[key] === undefined || element[key] === null);
  return missing.length > 0 ? `${slot} is missing ${missing.join(', ')}` : null;
}

function cliProblem(element: unknown): string | null {
  if (!isObject(element)) return 'not an object';
  if (typeof element['name'] !== 'string') return 'missing `name`';
  if (typeof element['about'] !== 'string') return 'missing `about`';
  return null;
}

/**
 * Converts a guest manifest into the core manifest the app sees (§3.8): known capabilities
 * mapped (order and duplicates kept), unknown ones dropped with a warning, invalid `ui`/`cli`
 * elements dropped with a warning.
 */
export function toCoreManifest(manifest: GuestManifest, logger: HostLogger): PluginManifest {
  const capabilities: CoreCapability[] = [];
  for (const name of manifest.capabilities) {
    if (name === 'custom_commands') capabilities.push({ CustomCommands: { commands: [...manifest.commands] } });
    else if (name === 'media_transcoder') capabilities.push({ MediaTranscoder: { conversions: [...manifest.conversions] } });
    else if (name in SIMPLE_CAPABILITIES) capabilities.push(SIMPLE_CAPABILITIES[name]!);
    else logger.warn(`Plugin '${manifest.id}': Unknown capability: ${name}`);
  }
  const keep = (kind: string, check: (e: unknown) => string | null) => (element: unknown, index: number) => {
    const problem = check(element);
    if (problem) logger.warn(`Plugin '${manifest.id}': dropping ${kind}[${index}]: ${problem}`);
    return problem === null;
  };
  return {
    id: manifest.id,
    name: manifest.name,
    version: manifest.version,
    description: manifest.description,
    capabilities,
    ui: manifest.ui.filter(keep('ui', uiProblem)),
    cli: manifest.cli.filter(keep('cli', cliProblem)),
  };
}

/** True when the command is declared: `custom_commands` capability and the name in `commands`. */
export function declaresCommand(manifest: GuestManifest, command: string): boolean {
  return manifest.capabilities.includes('custom_commands') && manifest.commands.includes(command);
}

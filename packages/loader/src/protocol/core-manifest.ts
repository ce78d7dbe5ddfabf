import { ElementFieldError } from './element-schema.js';
import type { CoreCapability, GuestManifest, PluginManifest } from './types.js';
import { KNOWN_UI_SLOTS, readCliCommand, readUiContribution } from './ui-elements.js';

const SIMPLE_CAPABILITIES: Record<string, CoreCapability> = {
  file_events: 'FileEvents',
  workspace_events: 'WorkspaceEvents',
  crdt_commands: 'CrdtCommands',
  sync_transport: 'SyncTransport',
  editor_extension: 'EditorExtension',
};

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** How a warning names an element: its index, and its slot and id (or name) when it has them. */
export function elementLabel(kind: 'ui' | 'cli', index: number, element: unknown): string {
  if (!isObject(element)) return `${kind}[${index}]`;
  const id = [element['id'], element['extension_id'], element['name']].find((v) => typeof v === 'string') as string | undefined;
  const slot = kind === 'ui' && typeof element['slot'] === 'string' ? element['slot'] : undefined;
  const parts = [slot, id === undefined ? undefined : `'${id}'`].filter((part) => part !== undefined).join(' ');
  return parts === '' ? `${kind}[${index}]` : `${kind}[${index}] (${parts})`;
}

/** The converted manifest and one warning per capability or element that was dropped. */
export interface CoreManifestResult {
  manifest: PluginManifest;
  warnings: string[];
}

/**
 * Converts a guest manifest into the core manifest the app sees (§3.8): known capabilities
 * mapped (order and duplicates kept), unknown ones dropped; every `ui` and `cli` element read
 * into its typed shape with the defaults filled in (§3.9, §3.10). An element with a missing or
 * wrong-typed field, an unknown enum value or a slot Diaryx 1.4.1 does not know is dropped, as
 * the app's typed parsing drops it. Each drop is a warning naming the plugin, the element and
 * the field (or the slot).
 */
export function toCoreManifest(manifest: GuestManifest): CoreManifestResult {
  const warnings: string[] = [];
  const warn = (text: string) => warnings.push(`Plugin '${manifest.id}': ${text}`);
  const capabilities: CoreCapability[] = [];
  for (const name of manifest.capabilities) {
    if (name === 'custom_commands') capabilities.push({ CustomCommands: { commands: [...manifest.commands] } });
    else if (name === 'media_transcoder') capabilities.push({ MediaTranscoder: { conversions: [...manifest.conversions] } });
    else if (name in SIMPLE_CAPABILITIES) capabilities.push(SIMPLE_CAPABILITIES[name]!);
    else warn(`Unknown capability: ${name}`);
  }
  const keep = <T>(kind: 'ui' | 'cli', read: (value: unknown, path: string) => T) => (out: T[], element: unknown, index: number) => {
    if (kind === 'ui' && isObject(element) && typeof element['slot'] === 'string' && !(KNOWN_UI_SLOTS as readonly string[]).includes(element['slot'])) {
      warn(`dropping ${elementLabel(kind, index, element)}: the slot \`${element['slot']}\` is not known to Diaryx 1.4.1 (known: ${KNOWN_UI_SLOTS.join(', ')})`);
      return out;
    }
    try {
      out.push(read(element, ''));
    } catch (error) {
      if (!(error instanceof ElementFieldError)) throw error;
      warn(`dropping ${elementLabel(kind, index, element)}: ${error.message}`);
    }
    return out;
  };
  return {
    manifest: {
      id: manifest.id,
      name: manifest.name,
      version: manifest.version,
      description: manifest.description,
      capabilities,
      ui: manifest.ui.reduce(keep('ui', readUiContribution), []),
      cli: manifest.cli.reduce(keep('cli', readCliCommand), []),
    },
    warnings,
  };
}

/** True when the command is declared: `custom_commands` capability and the name in `commands`. */
export function declaresCommand(manifest: GuestManifest, command: string): boolean {
  return manifest.capabilities.includes('custom_commands') && manifest.commands.includes(command);
}

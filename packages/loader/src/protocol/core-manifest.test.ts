import { describe, expect, it } from 'vitest';
import { declaresCommand, toCoreManifest } from './core-manifest.js';
import { parseGuestManifest } from './manifest-parse.js';

function collectLogger() {
  const warnings: string[] = [];
  const noop = () => undefined;
  return { warnings, logger: { warn: (m: string) => warnings.push(m), error: noop, info: noop, debug: noop, trace: noop } };
}

const base = { id: 'p', name: 'P', version: '1', description: 'd' };

describe('toCoreManifest (§3.8, AB-P8, AB-P9)', () => {
  it('maps capabilities, keeps order and duplicates, drops unknown and wrong-case ones with a warning', () => {
    const { logger, warnings } = collectLogger();
    const m = parseGuestManifest(
      JSON.stringify({
        ...base,
        capabilities: ['file_events', 'custom_commands', 'File_Events', 'media_transcoder', 'file_events', 'lifecycle'],
        commands: ['count'],
        conversions: ['heic:jpeg'],
      }),
    );
    expect(toCoreManifest(m, logger).capabilities).toEqual([
      'FileEvents',
      { CustomCommands: { commands: ['count'] } },
      { MediaTranscoder: { conversions: ['heic:jpeg'] } },
      'FileEvents',
    ]);
    expect(warnings).toEqual([
      "Plugin 'p': Unknown capability: File_Events",
      "Plugin 'p': Unknown capability: lifecycle",
    ]);
  });

  it('drops bad ui and cli elements and keeps the good ones', () => {
    const { logger, warnings } = collectLogger();
    const good = { slot: 'CommandPaletteItem', id: 'wc', label: 'Count words', plugin_command: 'count' };
    const m = parseGuestManifest(
      JSON.stringify({
        ...base,
        capabilities: [],
        ui: [good, { slot: 'Nowhere', id: 'x' }, 'text', { slot: 'SidebarTab', id: 's', label: 'S' }],
        cli: [{ name: 'count', about: 'Count' }, { name: 'bad' }],
      }),
    );
    const core = toCoreManifest(m, logger);
    expect(core.ui).toEqual([good]);
    expect(core.cli).toEqual([{ name: 'count', about: 'Count' }]);
    expect(warnings).toHaveLength(4);
  });

  it('declares a command only with custom_commands and the exact name', () => {
    const m = parseGuestManifest(JSON.stringify({ ...base, capabilities: ['custom_commands'], commands: ['count'] }));
    expect(declaresCommand(m, 'count')).toBe(true);
    expect(declaresCommand(m, 'Count')).toBe(false);
    const noCap = parseGuestManifest(JSON.stringify({ ...base, capabilities: [], commands: ['count'] }));
    expect(declaresCommand(noCap, 'count')).toBe(false);
  });
});

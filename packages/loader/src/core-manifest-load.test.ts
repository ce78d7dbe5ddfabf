import { createHostContext } from '@diaryx/host-fns';
import { compileWat, guestWat } from '@diaryx/test-utils';
import { describe, expect, it } from 'vitest';
import { loadPluginFromBytes } from './load-plugin-from-bytes.js';
import { manifestJson } from './test-support/fixtures.js';

describe('a loaded plugin\'s core manifest (§3.8–§3.10, AB-A13, AB-P9)', () => {
  it('is typed with defaults, and every dropped element is a warning on the plugin and in the log, naming plugin, element and field or slot', async () => {
    const manifest = manifestJson({
      ui: [
        { slot: 'EditorExtension', extension_id: 'spoiler', node_type: 'InlineMark', markdown: { level: 'Inline', open: '||', close: '||' }, insert_command: { label: 'Spoiler' } },
        { slot: 'ToolbarButton', id: 'ai-chat', label: 'Ask AI', plugin_command: 'chat' },
        { slot: 'SidebarTab', id: 'side', label: 'Side', side: 'Top', component: { type: 'Builtin', component_id: 'c' } },
      ],
      cli: [{ name: 'echo', about: 'Echo' }],
    });
    const logged: string[] = [];
    const noop = () => undefined;
    const logger = { warn: (m: string) => void logged.push(m), error: noop, info: noop, debug: noop, trace: noop };
    const plugin = await loadPluginFromBytes(await compileWat(guestWat({ manifest })), createHostContext(), { runInWorker: false, logger });
    try {
      expect(plugin.coreManifest.ui).toEqual([expect.objectContaining({ extension_id: 'spoiler', insert_command: { label: 'Spoiler', icon: null, description: null, placement: 'Picker' } })]);
      expect(plugin.coreManifest.cli).toEqual([expect.objectContaining({ name: 'echo', aliases: [], args: [], subcommands: [], requires_workspace: true })]);
      expect(plugin.warnings).toEqual([
        expect.stringContaining("Plugin 'test.plugin': dropping ui[1] (ToolbarButton 'ai-chat'): the slot `ToolbarButton` is not known to Diaryx 1.4.1"),
        "Plugin 'test.plugin': dropping ui[2] (SidebarTab 'side'): field side: unknown variant `Top`, expected one of `Left`, `Right`",
      ]);
      expect(logged).toEqual(plugin.warnings.map((warning) => warning.replace("Plugin 'test.plugin': ", '[plugin test.plugin] ')));
      // The guest manifest keeps the elements as the plugin declared them (§3.8, kit: tooling needs them).
      expect(plugin.manifest.ui).toHaveLength(3);
    } finally {
      await plugin.close();
    }
  });
});

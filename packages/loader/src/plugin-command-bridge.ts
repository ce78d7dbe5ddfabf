import type { PluginCommandBridge } from '@diaryx/host-fns';
import { toError } from './errors.js';
import { BRIDGED_COMMAND, type LoadedPlugin } from './loaded-plugin.js';

/**
 * Routes `host_plugin_command` between loaded plugins: put it in the host context, then load
 * the plugins. The callee's declared-command check applies; nested calls are counted and a
 * call back into a plugin already in the chain is refused (kit decision D5).
 *
 * @example
 * let plugins: LoadedPlugin[] = [];
 * const host = createHostContext({ commands: pluginCommandBridge(() => plugins) });
 * ({ plugins } = await loadPluginsFromDir(dir, host));
 */
export function pluginCommandBridge(plugins: () => Iterable<LoadedPlugin>): PluginCommandBridge {
  return {
    async call(_callerId, pluginId, command, params, chain, options) {
      let target: LoadedPlugin | undefined;
      for (const plugin of plugins()) if (plugin.id === pluginId) target = plugin;
      if (!target) return { ok: false, error: `Plugin not found: ${pluginId}` };
      try {
        // The callee's call stops when the caller's does (its deadline, an abort, a close).
        const response = await target[BRIDGED_COMMAND](command, params, [...chain, pluginId], options?.signal);
        return response.success ? { ok: true, data: response.data ?? null } : { ok: false, error: response.error ?? 'Unknown error' };
      } catch (error) {
        return { ok: false, error: toError(error).message };
      }
    },
  };
}

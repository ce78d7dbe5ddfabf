import { defineHostFunction } from '../runtime/define.js';
import { anyJson, str } from '../runtime/input-schema.js';
import { wait } from '../runtime/maybe-async.js';
import { errorMessage } from '../util/error-message.js';
import { sortedJson } from '../util/json.js';

/** Nested cross-plugin calls allowed in one chain (Rust's constant; enforced by the kit, D5). */
export const MAX_PLUGIN_COMMAND_DEPTH = 8;

const failure = (error: string) => sortedJson({ error, success: false });

/**
 * `host_plugin_command {plugin_id, command, params?}` → `{"data":…,"success":true}` or
 * `{"error":…,"success":false}`; every outcome after parsing is returned, in Rust's order:
 * depth limit, empty names, self-call, execute_commands permission on `<plugin_id>:<command>`,
 * then (kit) re-entry into a plugin already in the chain, then the bridge.
 */
export const hostPluginCommand = defineHostFunction('host_plugin_command', function* (call) {
  const { plugin_id, command, params } = call.input({ plugin_id: str(), command: str(), params: anyJson() });
  const chain = call.plugin.callChain.length > 0 ? call.plugin.callChain : [call.pluginId];
  if (chain.length - 1 >= MAX_PLUGIN_COMMAND_DEPTH) {
    return failure(`Cross-plugin command call depth limit exceeded (max ${MAX_PLUGIN_COMMAND_DEPTH})`);
  }
  if (plugin_id.trim() === '' || command.trim() === '') return failure('plugin_id and command are required');
  if (plugin_id === call.pluginId) return failure('Plugins cannot call their own commands via host_plugin_command');
  const decision = yield* call.permission('execute_commands', `${plugin_id}:${command}`);
  if (!decision.allowed) return failure(decision.message);
  if (chain.includes(plugin_id)) {
    return failure(
      `Plugin '${plugin_id}' is already handling a call in this chain (${[...chain, plugin_id].join(' → ')}); ` +
        're-entrant plugin commands are not allowed',
    );
  }
  try {
    // The callee's call ends with the caller's: a caller past its own deadline is not kept waiting.
    const result = yield* wait(call.context.commands.call(call.pluginId, plugin_id, command, params, chain, { signal: call.signal }));
    return result.ok ? sortedJson({ data: result.data ?? null, success: true }) : failure(result.error);
  } catch (error) {
    return failure(errorMessage(error));
  }
});

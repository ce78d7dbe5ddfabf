// A typed way to write a plugin: one object with the manifest, the commands, the event handler,
// init and the config hook, turned into the exports the Diaryx host calls. The entry then writes
// `export const { manifest, handle_command, on_event, init, set_config, get_config } = definePlugin({…})`.
import { acceptConfig, config, outputConfig } from './config.js';
import { commandRequest, err, guestEvent, type GuestEvent, type GuestManifest, ok, outputManifest } from './protocol.js';

/** Thrown by a command handler to answer `{"success":false,"error":…,"error_code":…}`. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    message: string,
    /** The response's `error_code`, when given. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** A command handler: its return value is the response's `data`; a {@link CommandError} is an error answer. */
export type CommandHandler<Params = Record<string, unknown>> = (params: Partial<Params>, command: string) => unknown;

/** What {@link definePlugin} needs. `Commands` maps each command name to the type of its params. */
export interface PluginDefinition<Commands extends object = Record<string, Record<string, unknown>>, Config extends object = Record<string, unknown>> {
  /** The manifest; `commands` and the `custom_commands` capability are filled from `commands`. */
  manifest: GuestManifest;
  /** One handler per command. An unknown command answers `error_code` `unknown_command`. */
  commands?: { [Name in keyof Commands]: CommandHandler<Commands[Name]> };
  /** Called with each event the host sends (`file_saved`, `file_created`, …). */
  onEvent?: (event: GuestEvent) => void;
  /** Called by `init` with the workspace root (null when the host has none). */
  init?: (workspaceRoot: string | null) => void;
  /** Called after the host pushed a new config (kept by the SDK; read it with `config()`). */
  onConfig?: (config: Partial<Config> | null) => void;
}

/** The exports {@link definePlugin} returns: export them all from the entry. */
export interface PluginExports {
  manifest(): number;
  handle_command(): number;
  on_event(): number;
  init(): number;
  set_config(): number;
  get_config(): number;
}

/**
 * Turns a plugin definition into the exports the host calls (PROTOCOL §3): `manifest`,
 * `handle_command` (dispatching to `commands`), `on_event`, `init`, `set_config` and `get_config`
 * (the config is kept by the SDK, see `config()`).
 *
 * @example
 * export const { manifest, handle_command, on_event, init, set_config, get_config } = definePlugin<{ hello: { name: string } }>({
 *   manifest: { id: 'me.hello', name: 'Hello', version: '0.1.0', description: 'Says hello', capabilities: [] },
 *   commands: { hello: (params) => `hello ${params.name ?? 'you'}` },
 * });
 */
export function definePlugin<Commands extends object = Record<string, Record<string, unknown>>, Config extends object = Record<string, unknown>>(
  definition: PluginDefinition<Commands, Config>,
): PluginExports {
  const handlers = (definition.commands ?? {}) as Record<string, CommandHandler<object> | undefined>;
  const names = Object.keys(handlers);
  const capabilities = [...definition.manifest.capabilities];
  if (names.length > 0 && !capabilities.includes('custom_commands')) capabilities.push('custom_commands');
  const commands = [...new Set([...(definition.manifest.commands ?? []), ...names])];
  return {
    manifest: () => outputManifest({ ...definition.manifest, capabilities, commands }),
    handle_command: () => {
      const request = commandRequest<Record<string, unknown>>();
      const handler = Object.prototype.hasOwnProperty.call(handlers, request.command) ? handlers[request.command] : undefined;
      if (handler === undefined) return err(`unknown command: ${request.command}`, 'unknown_command');
      try {
        return ok(handler(request.params ?? {}, request.command) ?? null);
      } catch (error) {
        if (error instanceof CommandError) return err(error.message, error.code);
        throw error;
      }
    },
    on_event: () => {
      const event = guestEvent();
      if (event.event_type !== '') definition.onEvent?.(event);
      return 0;
    },
    init: () => {
      let root: string | null = null;
      try {
        const input = JSON.parse(Host.inputString()) as { workspace_root?: unknown } | null;
        root = typeof input?.workspace_root === 'string' ? input.workspace_root : null;
      } catch {
        root = null;
      }
      definition.init?.(root);
      return 0;
    },
    set_config: () => {
      acceptConfig();
      definition.onConfig?.(config<Config>());
      return 0;
    },
    get_config: () => outputConfig(),
  };
}

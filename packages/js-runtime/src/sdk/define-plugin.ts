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

/**
 * A command handler: its return value (or what its Promise resolves to) is the response's `data`;
 * a thrown (or rejected) {@link CommandError} is an error answer. An `async` handler works: the
 * runtime runs the Promise's jobs to the end before the call returns (there is no event loop, so
 * a Promise that waits on a timer or `fetch` never settles and fails the call saying so).
 */
export type CommandHandler<Params = Record<string, unknown>> = (params: Partial<Params>, command: string) => unknown;

/** A hook's result: nothing, or a Promise of nothing (an `async` hook), which the call awaits. */
export type HookResult = void | Promise<void>;

/** What {@link definePlugin} needs. `Commands` maps each command name to the type of its params. */
export interface PluginDefinition<Commands extends object = Record<string, Record<string, unknown>>, Config extends object = Record<string, unknown>> {
  /** The manifest; `commands` and the `custom_commands` capability are filled from `commands`. */
  manifest: GuestManifest;
  /** One handler per command (sync or `async`). An unknown command answers `error_code` `unknown_command`. */
  commands?: { [Name in keyof Commands]: CommandHandler<Commands[Name]> };
  /** Called with each event the host sends (`file_saved`, `file_created`, …); may be `async`. */
  onEvent?: (event: GuestEvent) => HookResult;
  /** Called by `init` with the workspace root (null when the host has none); may be `async`. */
  init?: (workspaceRoot: string | null) => HookResult;
  /** Called after the host pushed a new config (kept by the SDK; read it with `config()`); may be `async`. */
  onConfig?: (config: Partial<Config> | null) => HookResult;
}

/** An export's result: 0, or (for an `async` handler) a Promise of 0, which the runtime awaits. */
export type ExportResult = number | Promise<number>;

/** The exports {@link definePlugin} returns: export them all from the entry. */
export interface PluginExports {
  manifest(): number;
  handle_command(): ExportResult;
  on_event(): ExportResult;
  init(): ExportResult;
  set_config(): ExportResult;
  get_config(): number;
}

/** True for a Promise (or any thenable) a handler returned. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** 0 once `result` (a hook's return value) has settled; a rejection fails the call. */
function afterHook(result: unknown): ExportResult {
  return isThenable(result) ? Promise.resolve(result).then(() => 0) : 0;
}

/** The answer of a handler's error: a CommandError is `success: false`; anything else fails the call. */
function answerError(error: unknown): number {
  if (error instanceof CommandError) return err(error.message, error.code);
  throw error;
}

/**
 * Turns a plugin definition into the exports the host calls (PROTOCOL §3): `manifest`,
 * `handle_command` (dispatching to `commands`), `on_event`, `init`, `set_config` and `get_config`
 * (the config is kept by the SDK, see `config()`). Handlers and hooks may be `async`: the export
 * then returns their Promise, which the runtime awaits (running its jobs) before the call returns.
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
      let data: unknown;
      try {
        data = handler(request.params ?? {}, request.command);
      } catch (error) {
        return answerError(error);
      }
      // An async handler: its value is the data. Without this, JSON.stringify(promise) is `{}`.
      if (isThenable(data)) return Promise.resolve(data).then((value) => ok(value ?? null), answerError);
      return ok(data ?? null);
    },
    on_event: () => {
      const event = guestEvent();
      return event.event_type === '' ? 0 : afterHook(definition.onEvent?.(event));
    },
    init: () => {
      let root: string | null = null;
      try {
        const input = JSON.parse(Host.inputString()) as { workspace_root?: unknown } | null;
        root = typeof input?.workspace_root === 'string' ? input.workspace_root : null;
      } catch {
        root = null;
      }
      return afterHook(definition.init?.(root));
    },
    set_config: () => {
      acceptConfig();
      return afterHook(definition.onConfig?.(config<Config>()));
    },
    get_config: () => outputConfig(),
  };
}

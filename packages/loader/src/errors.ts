import { callUserMessage, loadUserMessage } from './user-messages.js';

/** Why a plugin could not be loaded (Rust `ExtismLoadError`, snake_case). */
export type PluginLoadErrorKind =
  | 'read_dir'
  | 'plugin_create'
  | 'manifest_call'
  | 'manifest_parse'
  | 'protocol_mismatch'
  | 'app_version_too_old'
  /** Kit addition (D17): the manifest `id` breaks the id rule (1–128 of `[A-Za-z0-9._-]`, no leading/trailing `.`). */
  | 'invalid_id'
  /**
   * Kit addition (D20): several folders of one scan declare this id; the folder named after the id
   * owns it, else every one of them is refused. A plugin host refuses a reload whose id another
   * loaded plugin holds the same way.
   */
  | 'duplicate_id';

/**
 * What a program can read of a {@link PluginLoadError} beside its message. Each field names the
 * kinds that set it; a kind sets all of its fields.
 */
export interface PluginLoadErrorDetails {
  /** `read_dir`: the folder or file that could not be read. */
  readonly path?: string;
  /**
   * `plugin_create`, `manifest_call`, `manifest_parse`: the underlying problem as the engine,
   * the SDK or the parser wrote it (developer text).
   */
  readonly problem?: string;
  /** `manifest_parse`: whether the manifest came from the guest or from the `manifest.json` cache. */
  readonly source?: 'plugin' | 'cache';
  /** `protocol_mismatch`: the guest's `protocol_version`. */
  readonly guestVersion?: number;
  /** `protocol_mismatch`: the oldest protocol version this host supports. */
  readonly min?: number;
  /** `protocol_mismatch`: the newest protocol version this host supports. */
  readonly max?: number;
  /** `app_version_too_old`: the plugin's `min_app_version`, as written. */
  readonly required?: string;
  /** `app_version_too_old`: the running app version (the loader option `appVersion`). */
  readonly running?: string;
  /** `invalid_id`, `duplicate_id`: the id the manifest declares. */
  readonly id?: string;
  /** `duplicate_id`: every folder (or source) that declares the id. */
  readonly folders?: readonly string[];
  /** `duplicate_id`: the folder that owns the id (named after it, or the plugin already loaded), or null when none does. */
  readonly owner?: string | null;
}

/** Options of the {@link PluginLoadError} constructor. */
export interface PluginLoadErrorOptions {
  cause?: unknown;
  details?: PluginLoadErrorDetails;
  /** The text for a person; default: derived from the kind and details (see {@link PluginLoadError.userMessage}). */
  userMessage?: string;
}

/**
 * A plugin failed to load. `kind` and `details` are for programs, `userMessage` for the person
 * using the app, `message` for developers (it names the plugin, the file and the cause).
 */
export class PluginLoadError extends Error {
  override readonly name = 'PluginLoadError';
  /** Structured facts of the failure (see {@link PluginLoadErrorDetails}). */
  readonly details: PluginLoadErrorDetails;
  /** A short text for the app's user: no paths, no temporary-file names, no stack. */
  readonly userMessage: string;
  constructor(
    /** What went wrong. */
    readonly kind: PluginLoadErrorKind,
    /** The folder name or file stem of the plugin (or the plugins folder for `read_dir`). */
    readonly pluginName: string,
    message: string,
    options: PluginLoadErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.details = options.details ?? {};
    this.userMessage = options.userMessage ?? loadUserMessage(kind, pluginName, this.details);
  }
}

/** Why a call into a loaded plugin failed. */
export type PluginCallErrorKind =
  /**
   * The guest reported an error: it set one with Extism's `error_set`, or returned a non-zero
   * status; from a plugin host's `run`, also a command that answered `success: false`.
   * `details.guestMessage` holds the guest's text.
   */
  | 'guest_error'
  /** The guest trapped (`unreachable`, a stack overflow, an out-of-bounds access): `details.trap` holds the trap text. */
  | 'trap'
  /** The module has no export of that name; the guest was not called. */
  | 'missing_export'
  /** A host function failed (trapped) the call; the message is the host function's. */
  | 'host_trap'
  /** The call exceeded its deadline (`timeoutMs`); the plugin stays usable. */
  | 'timeout'
  /** The guest's output is not what the protocol requires (e.g. not a CommandResponse). */
  | 'invalid_response'
  /** The input was larger than the loader's `maxInputBytes`; the guest was not called. */
  | 'input_too_large'
  /**
   * The value given (event payload, command params, config) cannot be sent as JSON: a BigInt, a
   * cycle, nesting too deep; or a call option is invalid. The guest was not called.
   */
  | 'invalid_input'
  /** `config.json` (or the app's `saveConfig`) could not be written. */
  | 'config_write'
  /** The call's `signal` fired before the call finished (a waiting call never reached the guest). */
  | 'aborted'
  /** The guest called WASI `proc_exit`: `details.exitCode` holds its code. The plugin stays usable. */
  | 'exit'
  /** The plugin was closed (before or while the call ran). */
  | 'closed'
  /** A plugin host's `run`: the plugin does not declare the command (the guest was not called). */
  | 'not_declared'
  /** A plugin host's `run`: no plugin of that id is loaded (`details.state`: `missing` or `failed`). */
  | 'not_loaded';

/**
 * What a program can read of a {@link PluginCallError} beside its message. Each field names the
 * kinds that set it; a kind sets all of its fields.
 */
export interface PluginCallErrorDetails {
  /** `exit`: the code the guest gave WASI `proc_exit`. */
  readonly exitCode?: number;
  /** `timeout`: the deadline the call ran under, in ms. */
  readonly timeoutMs?: number;
  /** `trap`: the trap text (`unreachable`, `Maximum call stack size exceeded`, …). */
  readonly trap?: string;
  /**
   * `guest_error`: the guest's own error text (its `error_set`, or a command's `error`); null when
   * it returned a non-zero status without one.
   */
  readonly guestMessage?: string | null;
  /** `guest_error` from a command's `success: false`: its `error_code`, or null. */
  readonly errorCode?: string | null;
  /** `host_trap`: the host function's message (a denied permission, a protected file, …). */
  readonly hostMessage?: string;
  /** `input_too_large`: the input's size in bytes. */
  readonly bytes?: number;
  /** `input_too_large`: the loader option `maxInputBytes`. */
  readonly limit?: number;
  /** `invalid_input`, `invalid_response`, `config_write`: what was wrong (developer text). */
  readonly problem?: string;
  /** `invalid_response`: the start of the guest's output (200 characters at most). */
  readonly output?: string;
  /** `config_write`: the config file, or null when the app's `saveConfig` failed. */
  readonly configPath?: string | null;
  /** `aborted`: the abort reason's text, or null when it gave none. */
  readonly reason?: string | null;
  /** `missing_export`, `not_declared`: what the plugin has (its exports, or its declared commands). */
  readonly available?: readonly string[];
  /** `not_declared`: the command asked for. */
  readonly command?: string;
  /** `not_loaded`: `missing` (no plugin of that id) or `failed` (it failed to load). */
  readonly state?: 'missing' | 'failed';
}

/** Options of the {@link PluginCallError} constructor. */
export interface PluginCallErrorOptions {
  cause?: unknown;
  details?: PluginCallErrorDetails;
  /** The plugin's display name for {@link PluginCallError.userMessage} (default: its id). */
  pluginName?: string;
  /** The text for a person; default: derived from the kind and details. */
  userMessage?: string;
}

/**
 * A call into a loaded plugin failed. `kind` and `details` are for programs, `userMessage` for
 * the person using the app, `message` for developers (it names the plugin, the export and the cause).
 */
export class PluginCallError extends Error {
  override readonly name = 'PluginCallError';
  /** Structured facts of the failure (see {@link PluginCallErrorDetails}); `{}` when there are none. */
  readonly details: PluginCallErrorDetails;
  /** A short text for the app's user: no paths, no temporary-file names, no stack. */
  readonly userMessage: string;
  constructor(
    readonly kind: PluginCallErrorKind,
    /** The plugin's id. */
    readonly pluginId: string,
    /** The guest export that was called. */
    readonly exportName: string,
    message: string,
    options: PluginCallErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.details = options.details ?? {};
    this.userMessage = options.userMessage ?? callUserMessage(kind, options.pluginName ?? pluginId, exportName, this.details);
  }
}

/** Turns anything thrown (worker-mode errors are plain objects) into an Error. */
export function toError(error: unknown): Error {
  if (error instanceof Error) return error;
  if (error !== null && typeof error === 'object' && 'message' in error) {
    const plain = error as { message: unknown; name?: unknown; stack?: unknown };
    const normalised = new Error(String(plain.message));
    if (typeof plain.name === 'string') normalised.name = plain.name;
    if (typeof plain.stack === 'string') normalised.stack = plain.stack;
    return normalised;
  }
  return new Error(String(error));
}

/** A loader option has a value the loader cannot honour; thrown at load, before any plugin runs. */
export class LoaderOptionError extends Error {
  override readonly name = 'LoaderOptionError';
  /** Always `invalid_option`. */
  readonly kind = 'invalid_option' as const;
  constructor(
    /** The option's name, e.g. `timeoutMs`. */
    readonly option: string,
    message: string,
  ) {
    super(message);
  }
}

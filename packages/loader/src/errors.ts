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
   * owns it, else every one of them is refused.
   */
  | 'duplicate_id';

/** A plugin failed to load. `kind` is for programs; the message names the plugin and the cause. */
export class PluginLoadError extends Error {
  override readonly name = 'PluginLoadError';
  constructor(
    /** What went wrong. */
    readonly kind: PluginLoadErrorKind,
    /** The folder name or file stem of the plugin (or the plugins folder for `read_dir`). */
    readonly pluginName: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Why a call into a loaded plugin failed. */
export type PluginCallErrorKind =
  /** The guest trapped, reported an error (`error_set`), or the export is missing. */
  | 'call_failed'
  /** A host function failed (trapped) the call; the message is the host function's. */
  | 'host_trap'
  /** The call exceeded the loader's `timeoutMs`; the plugin stays usable. */
  | 'timeout'
  /** The guest's output is not what the protocol requires (e.g. not a CommandResponse). */
  | 'invalid_response'
  /** The input was larger than the loader's `maxInputBytes`; the guest was not called. */
  | 'input_too_large'
  /**
   * The value given (event payload, command params, config) cannot be sent as JSON: a BigInt, a
   * cycle, nesting too deep. The guest was not called.
   */
  | 'invalid_input'
  /** `config.json` could not be written. */
  | 'config_write'
  /** The call's `signal` fired before the call finished (a waiting call never reached the guest). */
  | 'aborted'
  /** The guest called WASI `proc_exit`: `details.exitCode` holds its code. The plugin stays usable. */
  | 'exit'
  /** The plugin was closed (before or while the call ran). */
  | 'closed';

/** What a program can read of a {@link PluginCallError} beside its message. */
export interface PluginCallErrorDetails {
  /** Kind `exit`: the code the guest gave WASI `proc_exit`. */
  exitCode?: number;
}

/** A call into a loaded plugin failed; names the plugin and the export. */
export class PluginCallError extends Error {
  override readonly name = 'PluginCallError';
  /** Structured facts of the failure (see {@link PluginCallErrorDetails}); `{}` when there are none. */
  readonly details: PluginCallErrorDetails;
  constructor(
    readonly kind: PluginCallErrorKind,
    /** The plugin's id. */
    readonly pluginId: string,
    /** The guest export that was called. */
    readonly exportName: string,
    message: string,
    options?: { cause?: unknown; details?: PluginCallErrorDetails },
  ) {
    super(message, options);
    this.details = options?.details ?? {};
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

import type { HostContext } from '../context.js';
import { NO_CHECKER_MESSAGE } from '../permissions/basic-checkers.js';
import type { PermissionDecision, PermissionKey } from '../permissions/types.js';
import type { LogFields, LogSource } from '../services/logger.js';
import { decodeUtf8Lossy, decodeUtf8Strict } from '../util/utf8.js';
import type { GuestMemory } from './extism-types.js';
import { type Field, type Parsed, parseShape } from './input-schema.js';
import { type HostTask, isThenable, type MaybePromise, wait } from './maybe-async.js';
import { exportCallSignal, type PluginHostState } from './plugin-state.js';

/** Thrown inside a host function to fail (trap) the guest's current export call. */
export class HostTrap extends Error {
  override readonly name = 'HostTrap';
}

/** One invocation of a host function: its input, the plugin it serves, and the host services. */
export class HostCall {
  /** Set when a permission check refused; recorded in the call trace. */
  denied = false;
  /** The denial message, when {@link denied}. */
  denialMessage: string | undefined;
  /** `performance.now()` when the call began, while the plugin is recorded (else 0). */
  startedAt = 0;
  #inputBlock: Uint8Array | undefined;
  #signal: AbortSignal | undefined;

  constructor(
    /** The host function's name, e.g. `host_read_file`. */
    readonly fn: string,
    private readonly memory: GuestMemory,
    private readonly inputHandle: bigint,
    /** The calling plugin. */
    readonly plugin: PluginHostState,
    /** The host services. */
    readonly context: HostContext,
  ) {}

  /** The caller's plugin id (the manifest id once the manifest has been read). */
  get pluginId(): string {
    return this.plugin.pluginId;
  }

  /** The fields of a log line about this call's plugin (see {@link LogFields}). */
  logFields(source: LogSource): LogFields {
    const exportName = this.plugin.exportName;
    return exportName ? { pluginId: this.plugin.pluginId, source, export: exportName } : { pluginId: this.plugin.pluginId, source };
  }

  /**
   * Aborted when the export call this host call serves is over (timed out, plugin closed):
   * pass it to long-running services (HTTP) so their work stops with the call.
   */
  get signal(): AbortSignal {
    this.#signal ??= exportCallSignal(this.plugin);
    return this.#signal;
  }

  /** True when the export call this host call served ended before the host call did. */
  get abandoned(): boolean {
    return this.#signal?.aborted ?? false;
  }

  /** The raw input, a copy the caller may keep. Handle 0 is the empty input; an unknown handle traps. */
  inputBytes(): Uint8Array {
    return this.#inputView().slice();
  }

  // The guest's input block, read in place: the guest is blocked until this host function
  // returns, so the block cannot change while the call lasts. Only inputBytes hands out a copy.
  #inputView(): Uint8Array {
    if (this.#inputBlock) return this.#inputBlock;
    if (this.inputHandle === 0n) return (this.#inputBlock = new Uint8Array(0));
    const block = this.memory.read(this.inputHandle);
    if (block) return (this.#inputBlock = block.bytes());
    // An empty answer of this export call, passed on by the guest (worker mode ships it freed).
    if (this.plugin.emptyAnswers?.has(this.inputHandle)) return (this.#inputBlock = new Uint8Array(0));
    return this.trap(`${this.fn}: invalid memory offset ${this.inputHandle}`);
  }

  /** The input as strict UTF-8 text (invalid UTF-8 traps, as in Rust). */
  inputText(): string {
    const bytes = this.#inputView();
    try {
      return decodeUtf8Strict(bytes);
    } catch {
      return this.trap(`${this.fn}: invalid input: input is not valid UTF-8`);
    }
  }

  /** The input for traces and logs: lossy, never throws. */
  inputPreview(): string {
    try {
      return decodeUtf8Lossy(this.#inputView());
    } catch {
      return '';
    }
  }

  /** Parses the JSON input into a shape; failure traps with `<fn>: invalid input: <reason>`. */
  input<S extends Record<string, Field<unknown>>>(shape: S): Parsed<S> {
    const text = this.inputText();
    try {
      return parseShape(text, shape);
    } catch (error) {
      return this.trap(`${this.fn}: invalid input: ${(error as Error).message}`);
    }
  }

  /** Fails the guest's export call with this message. */
  trap(message: string): never {
    throw new HostTrap(message);
  }

  /**
   * Asks the permission checker. No checker = denied with Rust's "not configured" message.
   * A denial is remembered for the call trace; what to do with it is the function's choice.
   */
  *permission(permission: PermissionKey, target: string): HostTask<PermissionDecision> {
    const checker = this.context.permissions;
    const answer: MaybePromise<PermissionDecision> = checker
      ? checker.check(this.pluginId, permission, target)
      : { allowed: false, reason: 'unavailable', message: NO_CHECKER_MESSAGE };
    // A synchronous checker (the usual case) needs no round trip through the task runner. An
    // async one may be asking the user: its wait does not count against the call's deadline.
    let decision: PermissionDecision;
    if (isThenable(answer)) {
      const resume = this.plugin.pauseDeadline?.();
      try {
        decision = yield* wait(answer);
      } finally {
        resume?.();
      }
    } else decision = answer;
    if (!decision.allowed) {
      this.denied = true;
      this.denialMessage = decision.message;
    }
    return decision;
  }

  /** Like {@link permission}, but a denial traps with the checker's message. */
  *requirePermission(permission: PermissionKey, target: string): HostTask<void> {
    const decision = yield* this.permission(permission, target);
    if (!decision.allowed) this.trap(decision.message);
  }
}

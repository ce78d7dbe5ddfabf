// Where a guest was when its call was stopped (a deadline, a trap), for the error a person reads.
// - A native guest (AssemblyScript, Rust): the innermost wasm frame of the stopping error's stack.
//   V8 prints wasm frames as `at name (wasm://wasm/<hash>:wasm-function[<index>]:0x<offset>)`, the
//   name from the module's name section (the meter keeps and renumbers it), or without a name
//   `at wasm://wasm/<hash>:wasm-function[<index>]:0x<offset>`. In metered mode the deadline trap
//   is thrown by the meter from inside the guest, so its stack holds the guest's frames; in worker
//   mode the worker is terminated and there is no stack.
// - A QuickJS guest (@diaryx/js-runtime): its wasm frames are the interpreter's. The runtime
//   exports `__diaryx_where`, which writes the JavaScript stack of the stopped call without
//   allocating; the stopped instance (same thread, metered) can be asked before it is replaced,
//   and the answer attached to the error with {@link withGuestStack}.

/** The innermost wasm frame of a stack: the function the guest was in. */
export interface WasmFrame {
  /** The function's index in the module (the module that ran: a metered one counts the meter's import). */
  index: number;
  /** Its name from the name section, when the module has one. */
  name: string | null;
  /** The byte offset in the module that ran. */
  offset: number;
}

/** The export a js-runtime plugin has for {@link readGuestStack}. */
export const GUEST_STACK_EXPORT = '__diaryx_where';

const STACK_KEY = Symbol.for('diaryx.guestStack');

// `at name (wasm://wasm/…:wasm-function[12]:0x2f5)` or `at wasm://wasm/…:wasm-function[12]:0x2f5`.
const WASM_FRAME = /^\s*at (?:(.*?) \()?wasm:\/\/wasm\/[^:\s]*:wasm-function\[(\d+)\]:0x([0-9a-f]+)\)?\s*$/;

/** The errors of a cause chain, the outer first (at most 8: a cycle cannot loop). */
function chain(error: unknown): unknown[] {
  const errors: unknown[] = [];
  for (let current = error; current !== undefined && current !== null && errors.length < 8; current = (current as { cause?: unknown }).cause) {
    errors.push(current);
  }
  return errors;
}

/** The innermost wasm frame of the first error in `error`'s cause chain whose stack has one, or null. */
export function wasmFrameOf(error: unknown): WasmFrame | null {
  for (const link of chain(error)) {
    const stack = (link as { stack?: unknown }).stack;
    if (typeof stack !== 'string') continue;
    for (const line of stack.split('\n')) {
      const match = WASM_FRAME.exec(line);
      if (match) return { index: Number(match[2]), name: match[1] ?? null, offset: parseInt(match[3]!, 16) };
    }
  }
  return null;
}

/**
 * Asks a stopped js-runtime guest for the JavaScript stack of the call a trap stopped (its
 * `__diaryx_where` export: "    at fn (file:line:col)" lines, innermost first). Call it on the same
 * instance, after the trap and before the instance is replaced; a metered instance needs fuel for
 * it (arm its meter with a short deadline first). Null when the module has no such export, the
 * answer is empty or unreadable, or asking fails: a guest is untrusted, its answer only text.
 */
export async function readGuestStack(instance: WebAssembly.Instance): Promise<string | null> {
  const where = instance.exports[GUEST_STACK_EXPORT];
  const memory = instance.exports['memory'];
  if (typeof where !== 'function' || !(memory instanceof WebAssembly.Memory)) return null;
  try {
    // A metered guest yielding under JSPI reaches a WebAssembly.Suspending import at its first
    // fuel check, which traps outside WebAssembly.promising: ask through it where it exists.
    const promising = (WebAssembly as unknown as { promising?: (fn: () => unknown) => () => Promise<unknown> }).promising;
    const pointer = Number(promising ? await promising(where as () => unknown)() : (where as () => unknown)());
    const bytes = new Uint8Array(memory.buffer);
    if (!Number.isInteger(pointer) || pointer <= 0 || pointer >= bytes.length) return null;
    const end = bytes.indexOf(0, pointer);
    // At most 4 KiB (what the runtime writes), decoded leniently: only text leaves the guest.
    const text = new TextDecoder().decode(bytes.subarray(pointer, Math.min(end === -1 ? bytes.length : end, pointer + 4096))).trimEnd();
    return text === '' ? null : text;
  } catch {
    return null;
  }
}

/**
 * For the metered runtime, after a deadline trap and before the stopped instance is replaced:
 * gives the guest a little fuel (`refuel`, e.g. `() => meter.arm(50)`) and asks it where it was
 * ({@link readGuestStack}); attach the answer to the timeout error with {@link withGuestStack}.
 *
 * @example
 * // in the metered instance's call, when meter.timedOut:
 * const stack = await stackOfStoppedGuest(current.sdk, () => current.meter.arm(50));
 * throw withGuestStack(new Error(TIMEOUT_MESSAGE, { cause: error }), stack);
 */
export async function stackOfStoppedGuest(plugin: { getInstance(): Promise<WebAssembly.Instance> }, refuel: () => void): Promise<string | null> {
  try {
    refuel();
    return await readGuestStack(await plugin.getInstance());
  } catch {
    return null;
  }
}

/** `error`, carrying the guest's JavaScript stack for {@link guestLocation} (returns `error`). */
export function withGuestStack<E extends Error>(error: E, stack: string | null): E {
  if (stack !== null) Object.defineProperty(error, STACK_KEY, { value: stack, enumerable: false });
  return error;
}

/** The JavaScript stack attached to an error of `error`'s cause chain, or null. */
export function guestStackOf(error: unknown): string | null {
  for (const link of chain(error)) {
    const stack = (link as Record<symbol, unknown> | null)?.[STACK_KEY];
    if (typeof stack === 'string') return stack;
  }
  return null;
}

/**
 * Where the guest was, as a clause for an error message: its JavaScript stack when the error
 * carries one (js-runtime plugins), else its innermost wasm function (named when the module has a
 * name section), else null (worker mode: the worker was terminated). `interpreted` says the
 * module is a js-runtime plugin, whose wasm frames are the interpreter's and name nothing of the plugin.
 */
export function guestLocation(error: unknown, interpreted = false): string | null {
  const stack = guestStackOf(error);
  if (stack !== null) return `the plugin was at:\n${stack}`;
  if (interpreted) return null;
  const frame = wasmFrameOf(error);
  if (frame === null) return null;
  const at = `wasm function ${frame.index}, offset 0x${frame.offset.toString(16)}`;
  return frame.name === null
    ? `the plugin was in ${at} (the module has no name section: build it with names, e.g. asc --debug, to see the function's name)`
    : `the plugin was in \`${frame.name}\` (${at})`;
}

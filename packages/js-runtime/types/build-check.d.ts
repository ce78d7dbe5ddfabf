// Declarations used only by `diaryx-js build`'s type check, next to globals.d.ts: what the
// runtime defines besides the Extism API (console, TextEncoder, TextDecoder), and the timers it
// does NOT have, declared so that code using them type-checks and the build warns by name.
export {};

declare global {
  var console: {
    log(...data: unknown[]): void;
    info(...data: unknown[]): void;
    debug(...data: unknown[]): void;
    trace(...data: unknown[]): void;
    warn(...data: unknown[]): void;
    error(...data: unknown[]): void;
  };
  class TextEncoder {
    encode(input?: string): Uint8Array;
  }
  class TextDecoder {
    constructor(label?: string, options?: { fatal?: boolean });
    decode(input?: ArrayBufferLike | ArrayBufferView): string;
  }
  /** Not in Diaryx plugins: the host makes HTTP requests (httpRequest() of the SDK). */
  function fetch(input: string | { url: string }, init?: { method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; text(): Promise<string>; json(): Promise<unknown> }>;
  /** Not in Diaryx plugins: the runtime has no event loop. */
  function setTimeout(handler: (...args: unknown[]) => void, timeout?: number, ...args: unknown[]): number;
  /** Not in Diaryx plugins: the runtime has no event loop. */
  function setInterval(handler: (...args: unknown[]) => void, timeout?: number, ...args: unknown[]): number;
  function clearTimeout(id?: number): void;
  function clearInterval(id?: number): void;
}

/**
 * The part of `@extism/extism`'s CallContext that host functions use. Declared structurally so
 * host-fns does not depend on the SDK's internal classes.
 */
export interface GuestMemory {
  /** Reads a memory block; null for an unknown handle. */
  read(handle: bigint): { bytes(): Uint8Array } | null;
  /** Stores bytes or text in a new block and returns its handle. */
  store(data: string | Uint8Array): bigint;
}

/** A host function as `@extism/extism` calls it: one handle in, one handle out. */
export type ExtismHostFunction = (memory: GuestMemory, input: bigint) => bigint | Promise<bigint>;

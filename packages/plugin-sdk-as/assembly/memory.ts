import { Host, Memory } from "@extism/as-pdk";

@external("extism:host/env", "error_set")
declare function extism_error_set(offset: u64): void;
@external("extism:host/env", "length")
declare function extism_length(offset: u64): u64;

/** Copies UTF-8 text into a new Extism memory block and returns its handle. */
export function toBlock(text: string): u64 {
  return Memory.allocateBytes(Uint8Array.wrap(String.UTF8.encode(text))).offset;
}

/** Copies bytes into a new Extism memory block and returns its handle. */
export function bytesToBlock(bytes: Uint8Array): u64 {
  return Memory.allocateBytes(bytes).offset;
}

/** Reads a block as UTF-8 text; handle 0 is "". */
export function blockText(offset: u64): string {
  if (offset == 0) return "";
  return new Memory(offset, extism_length(offset)).toString();
}

/** Reads a block as bytes; handle 0 is empty. */
export function blockBytes(offset: u64): Uint8Array {
  if (offset == 0) return new Uint8Array(0);
  return new Memory(offset, extism_length(offset)).toUint8Array();
}

/** Sets the export's output to UTF-8 text (as-pdk's outputString breaks on non-ASCII). */
export function output(text: string): void {
  Host.output(Uint8Array.wrap(String.UTF8.encode(text)));
}

/** Fails the current export call with a message (Extism ignores export return codes). */
export function fail(message: string): void {
  extism_error_set(toBlock(message));
}

/** The export's input as UTF-8 text. */
export function inputText(): string {
  return Host.inputString();
}

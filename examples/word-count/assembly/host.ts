// Thin typed wrappers over the Diaryx host functions this plugin uses.
import { Host, Memory } from "@extism/as-pdk";

@external("extism:host/user", "host_read_file")
declare function host_read_file(input: u64): u64;
@external("extism:host/user", "host_list_files")
declare function host_list_files(input: u64): u64;
@external("extism:host/user", "host_emit_event")
declare function host_emit_event(input: u64): u64;
@external("extism:host/env", "error_set")
declare function extism_error_set(offset: u64): void;
@external("extism:host/env", "length")
declare function extism_length(offset: u64): u64;

function toBlock(text: string): u64 {
  return Memory.allocateBytes(Uint8Array.wrap(String.UTF8.encode(text))).offset;
}

function fromBlock(offset: u64): string {
  if (offset == 0) return "";
  return new Memory(offset, extism_length(offset)).toString();
}

/** Escapes a string for a JSON string literal (quotes included). */
export function jsonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c == 0x22) out += '\\"';
    else if (c == 0x5c) out += "\\\\";
    else if (c == 0x0a) out += "\\n";
    else if (c == 0x0d) out += "\\r";
    else if (c == 0x09) out += "\\t";
    else if (c < 0x20) out += "\\u00" + (c < 0x10 ? "0" : "") + c.toString(16);
    else out += String.fromCharCode(c);
  }
  return out + '"';
}

/** The file's text, or null with `error` set when the host returned `{"error": …}`. */
export class ReadResult {
  constructor(public text: string | null, public error: string) {}
}

export function readFile(path: string): ReadResult {
  const out = fromBlock(host_read_file(toBlock('{"path":' + jsonString(path) + "}")));
  // The host returns errors as {"error": …} in place of the content (protocol §4.4).
  if (out.startsWith('{"error":')) return new ReadResult(null, out);
  return new ReadResult(out, "");
}

/** The raw JSON array text of every path under `prefix`. */
export function listFilesJson(prefix: string): string {
  return fromBlock(host_list_files(toBlock('{"prefix":' + jsonString(prefix) + "}")));
}

export function emitEvent(json: string): void {
  host_emit_event(toBlock(json));
}

/** Writes UTF-8 output (as-pdk's outputString breaks on non-ASCII text). */
export function output(text: string): void {
  Host.output(Uint8Array.wrap(String.UTF8.encode(text)));
}

/** Fails the current call with a message (export return codes are ignored by Extism). */
export function fail(message: string): void {
  extism_error_set(toBlock(message));
}

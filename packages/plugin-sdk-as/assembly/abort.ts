import { fail, toBlock } from "./memory";

@external("extism:host/env", "log_error")
declare function extism_log_error(offset: u64): void;

/**
 * The AssemblyScript abort handler for Diaryx plugins: reports the message (with the source file,
 * line and column of the `throw` or failed `assert`) through Extism's `error_set` and logs it at
 * error, then traps. Extism drops the `error_set` text of a call that traps; the log line survives,
 * and @diaryx/loader adds it to the trap's error. Build with
 * `--use abort=~lib/@diaryx/plugin-sdk-as/assembly/abort/abort`.
 */
export function abort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let text = "abort";
  if (message !== null) text += ": " + message;
  if (fileName !== null) text += " at " + fileName + ":" + line.toString() + ":" + column.toString();
  fail(text);
  extism_log_error(toBlock(text));
  unreachable();
}

import { fail } from "./memory";

/**
 * The AssemblyScript abort handler for Diaryx plugins: reports the message through Extism's
 * `error_set`, then traps. Build with `--use abort=~lib/@diaryx/plugin-sdk-as/assembly/abort/abort`.
 */
export function abort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let text = "abort";
  if (message !== null) text += ": " + message;
  if (fileName !== null) text += " at " + fileName + ":" + line.toString() + ":" + column.toString();
  fail(text);
  unreachable();
}

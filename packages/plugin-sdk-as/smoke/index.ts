// Compiles every part of the SDK (the package's build is this module) so errors surface in CI.
import { commandRequest, err, log, Manifest, ok, readFile, storageSet, JsonObject, encodeBase64, decodeBase64, acceptConfig } from "../assembly/index";
export { abort } from "../assembly/abort";

export function manifest(): i32 {
  return new Manifest("diaryx.sdk.smoke", "SDK smoke", "0.1.0", "Compiles the SDK").command("echo").requestPermission("read_files", "to read").output();
}

export function handle_command(): i32 {
  const request = commandRequest();
  if (request.command != "echo") return err("unknown command: " + request.command);
  log("info", "echo " + request.param("path"));
  const file = readFile(request.param("path"));
  if (!file.ok) return err(file.error);
  storageSet("last", file.value);
  const round = String.UTF8.decode(decodeBase64(encodeBase64(Uint8Array.wrap(String.UTF8.encode(file.value)))).buffer);
  return ok(new JsonObject().str("text", round).toString());
}

export function set_config(): i32 {
  return acceptConfig();
}

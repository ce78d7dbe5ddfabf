// A plugin that reads the host's empty answers ("") through the SDK: built with the package and
// run by test/empty-answers.test.ts in every loader mode. Each length must be 0.
import { commandRequest, err, JsonObject, Manifest, ok, readFile, requestFile, secretGet, storageGet, wsRequest, hashFile, writeFile, deleteFile, storageSet } from "../assembly/index";
export { abort } from "../assembly/abort";

export function manifest(): i32 {
  return new Manifest("diaryx.sdk.empty-answers", "Empty answers", "0.1.0", "Reads the host's empty answers").command("read")
    .requestPermission("read_files", "reads empty.md")
    .requestPermission("create_files", "writes new.md")
    .requestPermission("delete_files", "deletes new.md")
    .requestPermission("plugin_storage", "reads and writes its storage")
    .output();
}

function lengthOf(value: string | null): i64 {
  return value === null ? -1 : value.length;
}

export function handle_command(): i32 {
  const request = commandRequest();
  if (request.command != "read") return err("unknown command: " + request.command);
  const file = readFile("empty.md");
  if (!file.ok) return err(file.error);
  return ok(
    new JsonObject()
      .int("read_file", file.value.length)
      .int("request_file", requestFile("missing").length)
      .int("ws_request", wsRequest('{"type":"connect"}').length)
      .int("hash_file", hashFile("missing.md").length)
      .int("write_file", writeFile("new.md", "x").length)
      .int("delete_file", deleteFile("new.md").length)
      .int("storage_set", storageSet("k", "v").length)
      .int("storage_get", lengthOf(storageGet("missing")))
      .int("secret_get", lengthOf(secretGet("missing")))
      .toString(),
  );
}

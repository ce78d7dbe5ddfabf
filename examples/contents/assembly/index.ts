// A plugin written the way Diaryx's first-party plugins (daily, spoiler, storage-s3, …) are:
// - it keeps the `workspace_root` that `init` (or `workspace_opened`) gives it and joins it with
//   relative paths, so every file host function gets an absolute path such as
//   `/Users/me/journal/README.md`;
// - its manifest declares an EditorExtension (with an `insert_command` and no `placement`) and a
//   CLI command (with only `name` and `about`);
// - `get_config` answers its own typed config, not what `set_config` was given, and
//   `set_config` rejects a config it does not know.
import {
  deleteFile,
  fail,
  fileExists,
  fileMetadataJson,
  guestEvent,
  hashFile,
  initWorkspaceRoot,
  inputText,
  JsonObject,
  jsonString,
  listFiles,
  objField,
  ok,
  err,
  commandRequest,
  output,
  parseJson,
  readBinary,
  readFile,
  stringField,
  writeBinary,
  writeFile,
} from "@diaryx/plugin-sdk-as";
import { JSON } from "assemblyscript-json/assembly";

let workspaceRoot = "";
let heading = "Contents";

/** `<root>/<relative>`, as the Rust guest SDK's plugins build paths; relative when there is no root. */
function inWorkspace(relative: string): string {
  if (workspaceRoot.length == 0) return relative;
  return workspaceRoot.endsWith("/") ? workspaceRoot + relative : workspaceRoot + "/" + relative;
}

const EDITOR_EXTENSION =
  '{"slot":"EditorExtension","extension_id":"contents-link","node_type":"InlineMark",' +
  '"markdown":{"level":"Inline","open":"[[","close":"]]"},' +
  '"insert_command":{"label":"Contents link","icon":"list"},"keyboard_shortcut":"Mod-Shift-l"}';
const CLI_COMMAND = '{"name":"add-to-contents","about":"Adds a note to the root index\'s contents"}';

export function manifest(): i32 {
  output(
    new JsonObject()
      .str("id", "diaryx.example.contents")
      .str("name", "Contents")
      .str("version", "0.1.0")
      .str("description", "Adds notes to the root index's contents list")
      .raw("capabilities", '["editor_extension","workspace_events","file_events","custom_commands"]')
      .raw("ui", "[" + EDITOR_EXTENSION + "]")
      .raw("commands", '["add-to-contents","tour"]')
      .raw("cli", "[" + CLI_COMMAND + "]")
      .raw(
        "requested_permissions",
        '{"defaults":{"read_files":{"include":["all"],"exclude":[]},"edit_files":{"include":["README.md","tour"],"exclude":[]},' +
          '"create_files":{"include":["tour"],"exclude":[]},"delete_files":{"include":["tour"],"exclude":[]}},' +
          '"reasons":{"read_files":"to read the root index and your notes","edit_files":"to update the root index\'s contents",' +
          '"create_files":"to write the tour\'s files","delete_files":"to clean up after the tour"}}',
      )
      .toString(),
  );
  return 0;
}

export function init(): i32 {
  workspaceRoot = initWorkspaceRoot();
  return 0;
}

/** Only `{"heading": string}` is a config of this plugin; anything else is refused. */
export function set_config(): i32 {
  const parsed = parseJson(inputText());
  if (parsed === null || !parsed.isObj) {
    fail("set_config: expected an object");
    return 1;
  }
  const obj = <JSON.Obj>parsed;
  for (let i = 0; i < obj.keys.length; i++) {
    if (obj.keys[i] != "heading") {
      fail("set_config: unknown field `" + obj.keys[i] + "`, expected `heading`");
      return 1;
    }
  }
  const value = stringField(obj, "heading");
  if (value.length > 0) heading = value;
  return 0;
}

/** The plugin's own typed config, whatever `set_config` was sent. */
export function get_config(): i32 {
  output(new JsonObject().str("heading", heading).toString());
  return 0;
}

function addToContents(note: string): i32 {
  if (note.length == 0) return err("add-to-contents needs params.path");
  if (!fileExists(inWorkspace(note))) return err("no such note: " + note);
  const index = readFile(inWorkspace("README.md"));
  if (!index.ok) return err(index.error);
  const text = index.value;
  const entry = "  - " + jsonString(note) + "\n";
  let updated: string;
  if (text.includes("\ncontents: []\n")) updated = text.replace("\ncontents: []\n", "\ncontents:\n" + entry);
  else if (text.includes("\ncontents:\n")) updated = text.replace("\ncontents:\n", "\ncontents:\n" + entry);
  else return err("README.md has no contents list");
  const problem = writeFile(inWorkspace("README.md"), updated);
  if (problem.length > 0) return err(problem);
  return ok(new JsonObject().str("index", inWorkspace("README.md")).str("added", note).toString());
}

/** Every file host function once, each with an absolute path under the workspace root. */
function tour(): i32 {
  const a = inWorkspace("tour/a.md");
  const b = inWorkspace("tour/b.bin");
  const written = writeFile(a, "# " + heading + "\n");
  if (written.length > 0) return err(written);
  const read = readFile(a);
  const bytes = new Uint8Array(3);
  bytes[0] = 1;
  bytes[1] = 2;
  bytes[2] = 3;
  const binaryWritten = writeBinary(b, bytes);
  if (binaryWritten.length > 0) return err(binaryWritten);
  const binary = readBinary(b);
  const listed = listFiles(inWorkspace("tour"));
  const metadata = fileMetadataJson(a);
  const hash = hashFile(b);
  const deleted = deleteFile(b);
  const listedJson = listed.map<string>((p) => jsonString(p)).join(",");
  return ok(
    new JsonObject()
      .str("root", workspaceRoot)
      .str("read", read.ok ? read.value : "error: " + read.error)
      .int("binary_length", binary.length)
      .raw("listed", "[" + listedJson + "]")
      .raw("metadata", metadata)
      .str("hash", hash)
      .bool("exists_after_delete", fileExists(b))
      .str("delete", deleted)
      .toString(),
  );
}

export function handle_command(): i32 {
  const request = commandRequest();
  if (request.command == "add-to-contents") return addToContents(request.param("path"));
  if (request.command == "tour") return tour();
  return err("unknown command: " + request.command);
}

export function on_event(): i32 {
  const event = guestEvent();
  if (event.eventType == "workspace_opened") {
    // Like daily: take the root from the event and look at the root index at once.
    workspaceRoot = event.field("workspace_root");
    readFile(inWorkspace("README.md"));
  } else if (event.eventType == "file_saved") {
    const path = event.field("path");
    if (path.length > 0 && !path.startsWith("/") && !path.includes("..")) fileExists(inWorkspace(path));
  }
  return 0;
}

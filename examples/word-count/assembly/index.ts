import { Host } from "@extism/as-pdk";
import { JSON } from "assemblyscript-json/assembly";
import { countText, Counts } from "./count";
import { emitEvent, fail, jsonString, listFilesJson, output, readFile } from "./host";

/** Called by the AssemblyScript runtime on a failed assertion; reported to the host. */
export function abort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let text = "abort";
  if (message !== null) text += ": " + message;
  if (fileName !== null) text += " at " + fileName + ":" + line.toString() + ":" + column.toString();
  fail(text);
  unreachable();
}

const MANIFEST =
  '{"id":"diaryx.example.word-count","name":"Word Count","version":"0.1.0",' +
  '"description":"Counts words, characters and lines of a note or of the whole workspace",' +
  '"capabilities":["custom_commands","file_events"],"commands":["word-count"],' +
  '"requested_permissions":{"defaults":{"read_files":{"include":["all"],"exclude":[]}},' +
  '"reasons":{"read_files":"to count the words of your notes"}}}';

export function manifest(): i32 {
  output(MANIFEST);
  return 0;
}

/** A string field of a JSON object, or "" when it is absent or not a string. */
function stringField(obj: JSON.Obj, key: string): string {
  const value = obj.getString(key);
  if (value === null) return "";
  return value.valueOf();
}

function respondError(message: string): i32 {
  output('{"success":false,"error":' + jsonString(message) + "}");
  return 0;
}

function countWorkspace(): Counts {
  const total = new Counts();
  const list = <JSON.Arr>JSON.parse(listFilesJson(""));
  const items = list.valueOf();
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (!item.isString) continue;
    const path = (<JSON.Str>item).valueOf();
    if (!path.endsWith(".md")) continue;
    const read = readFile(path);
    if (read.text != null) total.add(countText(read.text!));
  }
  return total;
}

export function handle_command(): i32 {
  const request = JSON.parse(Host.inputString());
  if (!request.isObj) return respondError("expected a JSON object");
  const obj = <JSON.Obj>request;
  const command = stringField(obj, "command");
  if (command != "word-count") return respondError("unknown command: " + command);
  const params = obj.getObj("params");
  const path = params === null ? "" : stringField(params, "path");
  if (path == "") {
    output('{"success":true,"data":{"scope":"workspace","counts":' + countWorkspace().toJson() + "}}");
    return 0;
  }
  const read = readFile(path);
  if (read.text == null) return respondError("cannot read " + path + ": " + read.error);
  output('{"success":true,"data":{"path":' + jsonString(path) + ',"counts":' + countText(read.text!).toJson() + "}}");
  return 0;
}

export function on_event(): i32 {
  const event = JSON.parse(Host.inputString());
  if (!event.isObj) return 0;
  if (stringField(<JSON.Obj>event, "event_type") != "file_saved") return 0;
  const payload = (<JSON.Obj>event).getObj("payload");
  if (payload === null) return 0;
  const path = stringField(payload, "path");
  if (path == "") return 0;
  const read = readFile(path);
  if (read.text == null) return 0;
  emitEvent(
    '{"event_type":"word_count_updated","payload":{"path":' + jsonString(path) +
      ',"words":' + countText(read.text!).words.toString() + "}}",
  );
  return 0;
}

import { commandRequest, emitEvent, err, guestEvent, JsonObject, listFiles, Manifest, ok, readFile } from "@diaryx/plugin-sdk-as";
import { countText, Counts } from "./count";

export function manifest(): i32 {
  return new Manifest(
    "diaryx.example.word-count",
    "Word Count",
    "0.1.0",
    "Counts words, characters and lines of a note or of the whole workspace",
  )
    .command("word-count")
    .capability("file_events")
    .requestPermission("read_files", "to count the words of your notes")
    .output();
}

function countWorkspace(): Counts {
  const total = new Counts();
  // #region as-read-notes
  const paths = listFiles("");
  for (let i = 0; i < paths.length; i++) {
    if (!paths[i].endsWith(".md")) continue;
    const file = readFile(paths[i]);
    if (file.ok) total.add(countText(file.value));
  }
  // #endregion as-read-notes
  return total;
}

export function handle_command(): i32 {
  const request = commandRequest();
  if (request.command != "word-count") return err("unknown command: " + request.command);
  const path = request.param("path");
  if (path == "") return ok(new JsonObject().str("scope", "workspace").raw("counts", countWorkspace().toJson()).toString());
  const file = readFile(path);
  if (!file.ok) return err("cannot read " + path + ": " + file.error);
  return ok(new JsonObject().str("path", path).raw("counts", countText(file.value).toJson()).toString());
}

// #region as-event
export function on_event(): i32 {
  const event = guestEvent();
  if (event.eventType != "file_saved") return 0;
  const path = event.field("path");
  const file = readFile(path);
  if (path == "" || !file.ok) return 0;
  const payload = new JsonObject().str("path", path).int("words", countText(file.value).words);
  emitEvent(new JsonObject().str("event_type", "word_count_updated").raw("payload", payload.toString()).toString());
  return 0;
}
// #endregion as-event

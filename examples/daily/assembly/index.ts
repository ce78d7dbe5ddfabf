import {
  acceptConfig,
  commandRequest,
  config,
  err,
  fileMetadataJson,
  guestEvent,
  getNow,
  JsonObject,
  Manifest,
  ok,
  outputConfig,
  parseJson,
  storageGet,
  storageSet,
  stringField,
  writeFile,
} from "@diaryx/plugin-sdk-as";
import { JSON } from "assemblyscript-json/assembly";

const DEFAULT_TEMPLATE = "# {{date}}\n\n";

export function manifest(): i32 {
  return new Manifest("diaryx.example.daily", "Daily Entry", "0.1.0", "Opens today's journal entry, creating it from a template")
    .command("open-today")
    .command("set-template")
    .command("get-settings")
    .capability("workspace_events")
    .requestPermission("read_files", "to see whether today's entry exists")
    .requestPermission("create_files", "to create today's entry", ["Daily"])
    .requestPermission("plugin_storage", "to remember your template")
    .output();
}

export function set_config(): i32 {
  return acceptConfig();
}

export function get_config(): i32 {
  return outputConfig();
}

// #region as-config
function folder(): string {
  const value = stringField(config(), "folder");
  return value.length > 0 ? value : "Daily";
}
// #endregion as-config

function template(): string {
  const stored = storageGet("template");
  return stored === null || stored.length == 0 ? DEFAULT_TEMPLATE : stored;
}

function exists(path: string): bool {
  const meta = parseJson(fileMetadataJson(path));
  if (meta === null || !meta.isObj) return false;
  const value = (<JSON.Obj>meta).getBool("exists");
  return value !== null && value.valueOf();
}

function openToday(): i32 {
  const date = getNow().slice(0, 10); // YYYY-MM-DD of the local date
  const path = folder() + "/" + date.slice(0, 4) + "/" + date.slice(5, 7) + "/" + date + ".md";
  if (exists(path)) return ok(new JsonObject().str("path", path).bool("created", false).toString());
  // #region as-write
  const problem = writeFile(path, template().replaceAll("{{date}}", date));
  if (problem.length > 0) return err(problem);
  // #endregion as-write
  return ok(new JsonObject().str("path", path).bool("created", true).toString());
}

export function handle_command(): i32 {
  const request = commandRequest();
  if (request.command == "open-today") return openToday();
  // #region as-storage
  if (request.command == "set-template") {
    const text = request.param("template");
    if (text.length == 0) return err("set-template needs params.template", "config_error");
    const problem = storageSet("template", text);
    if (problem.length > 0) return err(problem);
    return ok();
  }
  // #endregion as-storage
  if (request.command == "get-settings") {
    const root = storageGet("workspace_root");
    return ok(
      new JsonObject()
        .str("folder", folder())
        .str("template", template())
        .str("workspace_root", root === null ? "" : root)
        .toString(),
    );
  }
  return err("unknown command: " + request.command);
}

export function on_event(): i32 {
  const event = guestEvent();
  if (event.eventType == "workspace_opened") storageSet("workspace_root", event.field("workspace_root"));
  return 0;
}

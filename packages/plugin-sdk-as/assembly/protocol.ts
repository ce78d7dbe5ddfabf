import { JSON } from "assemblyscript-json/assembly";
import { JsonObject, jsonString, objField, parseJson, stringField } from "./json";
import { inputText, output } from "./memory";

/** The input of `handle_command`: the command name and its params. */
export class CommandRequest {
  constructor(
    public command: string,
    /** The params when they are a JSON object, else null. */
    public params: JSON.Obj | null,
  ) {}

  /** A string param, or "" when absent. */
  param(name: string): string {
    return stringField(this.params, name);
  }
}

/** Reads the current `handle_command` input. */
export function commandRequest(): CommandRequest {
  const parsed = parseJson(inputText());
  if (parsed === null || !parsed.isObj) return new CommandRequest("", null);
  const obj = <JSON.Obj>parsed;
  return new CommandRequest(stringField(obj, "command"), objField(obj, "params"));
}

/** Answers `{"success":true,"data":<dataJson>}`; returns 0 for the export to return. */
export function ok(dataJson: string = "null"): i32 {
  output('{"success":true,"data":' + dataJson + "}");
  return 0;
}

/** Answers `{"success":false,"error":…}` (with `error_code` when given); returns 0. */
export function err(message: string, code: string = ""): i32 {
  const response = new JsonObject().bool("success", false).str("error", message);
  if (code.length > 0) response.str("error_code", code);
  output(response.toString());
  return 0;
}

/** The input of `on_event`. */
export class GuestEvent {
  constructor(
    public eventType: string,
    public payload: JSON.Obj | null,
  ) {}

  /** A string field of the payload (e.g. `path`), or "". */
  field(name: string): string {
    return stringField(this.payload, name);
  }
}

/** Reads the current `on_event` input. */
export function guestEvent(): GuestEvent {
  const parsed = parseJson(inputText());
  if (parsed === null || !parsed.isObj) return new GuestEvent("", null);
  const obj = <JSON.Obj>parsed;
  return new GuestEvent(stringField(obj, "event_type"), objField(obj, "payload"));
}

/** The `workspace_root` of `init`'s input, or "" when null. */
export function initWorkspaceRoot(): string {
  const parsed = parseJson(inputText());
  if (parsed === null || !parsed.isObj) return "";
  return stringField(<JSON.Obj>parsed, "workspace_root");
}

/** Builds the `manifest` export's JSON with the protocol's field names. */
export class Manifest {
  private capabilities: string[] = [];
  private commands: string[] = [];
  private permissions: string[] = [];
  private reasons: string[] = [];
  private minAppVersion: string = "";
  private uiElements: string[] = [];
  private cliCommands: string[] = [];

  constructor(
    public id: string,
    public name: string,
    public version: string,
    public description: string,
  ) {}

  capability(name: string): Manifest {
    this.capabilities.push(jsonString(name));
    return this;
  }

  /** Declares a command (adds the `custom_commands` capability once). */
  command(name: string): Manifest {
    if (!this.capabilities.includes('"custom_commands"')) this.capabilities.push('"custom_commands"');
    this.commands.push(jsonString(name));
    return this;
  }

  /** Requests a permission (`read_files`, …) for `all` or the given scopes, with a reason. */
  requestPermission(key: string, reason: string, scopes: string[] = ["all"]): Manifest {
    const include = scopes.map<string>((s) => jsonString(s)).join(",");
    this.permissions.push(jsonString(key) + ':{"include":[' + include + '],"exclude":[]}');
    this.reasons.push(jsonString(key) + ":" + jsonString(reason));
    return this;
  }

  /**
   * Adds a UI contribution, as its JSON (a settings tab, a command palette item, …; see the
   * manifest guide in the kit's docs). `diaryx-as build` checks it as the Diaryx loader reads it:
   * an element the loader would drop fails the build, naming the element and the field.
   */
  ui(elementJson: string): Manifest {
    this.uiElements.push(elementJson);
    return this;
  }

  /** Adds a CLI command declaration, as its JSON (`{"name": …, "about": …}`); checked as `ui` is. */
  cli(commandJson: string): Manifest {
    this.cliCommands.push(commandJson);
    return this;
  }

  requiresApp(version: string): Manifest {
    this.minAppVersion = version;
    return this;
  }

  toJson(): string {
    const json = new JsonObject()
      .int("protocol_version", 1)
      .str("id", this.id)
      .str("name", this.name)
      .str("version", this.version)
      .str("description", this.description)
      .raw("capabilities", "[" + this.capabilities.join(",") + "]")
      .raw("commands", "[" + this.commands.join(",") + "]");
    if (this.permissions.length > 0) {
      json.raw("requested_permissions", '{"defaults":{' + this.permissions.join(",") + '},"reasons":{' + this.reasons.join(",") + "}}");
    }
    if (this.uiElements.length > 0) json.raw("ui", "[" + this.uiElements.join(",") + "]");
    if (this.cliCommands.length > 0) json.raw("cli", "[" + this.cliCommands.join(",") + "]");
    if (this.minAppVersion.length > 0) json.str("min_app_version", this.minAppVersion);
    return json.toString();
  }

  /** Writes the manifest as the export's output; returns 0. */
  output(): i32 {
    output(this.toJson());
    return 0;
  }
}

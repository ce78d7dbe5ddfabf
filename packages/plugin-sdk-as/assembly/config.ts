import { Var } from "@extism/as-pdk";
import { JSON } from "assemblyscript-json/assembly";
import { parseJson } from "./json";
import { inputText, output } from "./memory";

const CONFIG_VAR = "diaryx.config";

/**
 * For the `set_config` export: keeps the config the host pushes (before `init`, and on every
 * change) in an Extism var, so it survives between calls. Returns 0.
 */
export function acceptConfig(): i32 {
  Var.set(CONFIG_VAR, Uint8Array.wrap(String.UTF8.encode(inputText())));
  return 0;
}

/** For the `get_config` export: outputs the kept config (`{}` when none). Returns 0. */
export function outputConfig(): i32 {
  const text = Var.getString(CONFIG_VAR);
  output(text === null ? "{}" : text);
  return 0;
}

/** The kept config as an object, or null. */
export function config(): JSON.Obj | null {
  const text = Var.getString(CONFIG_VAR);
  if (text === null) return null;
  const parsed = parseJson(text);
  return parsed !== null && parsed.isObj ? <JSON.Obj>parsed : null;
}

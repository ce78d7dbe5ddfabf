// The plugin's config, as the AssemblyScript SDK keeps it: the host pushes it through the
// `set_config` export (before `init` when it is not empty, and on every change, PROTOCOL §8.3,
// §8.6); the SDK keeps it in an Extism var so it survives between calls, and answers `get_config`
// from it. Extism's own `Config.get` is always empty in Diaryx (the host's Extism manifest has
// no config): read the config with these helpers instead.

const CONFIG_VAR = 'diaryx.config';

/** For the `set_config` export: keeps the config the host pushes. Returns 0. */
export function acceptConfig(): number {
  Var.set(CONFIG_VAR, Host.inputString());
  return 0;
}

/** For the `get_config` export: outputs the kept config (`{}` when none). Returns 0. */
export function outputConfig(): number {
  Host.outputString(Var.getString(CONFIG_VAR) ?? '{}');
  return 0;
}

/** The kept config when it is a JSON object, else null (never pushed, or not an object). */
export function config<Config extends object = Record<string, unknown>>(): Partial<Config> | null {
  const text = Var.getString(CONFIG_VAR);
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Partial<Config>) : null;
  } catch {
    return null;
  }
}

/** One field of the kept config, or `fallback` when the config or the field is absent. */
export function configValue<T>(key: string, fallback: T): T {
  const value = config()?.[key];
  return value === undefined ? fallback : (value as T);
}

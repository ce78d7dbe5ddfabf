/** Where a log line comes from. */
export type LogSource =
  /** The plugin itself: `host_log`, or Extism's log functions. */
  | 'guest'
  /** `@diaryx/loader`: loading, lifecycle calls, failures of calls it reports. */
  | 'loader'
  /** A host function (`@diaryx/host-fns`): an internal error, a request it reports. */
  | 'host';

/**
 * What a log line is about, beside its text: programs filter and route on these fields instead
 * of parsing the text. The text names the plugin the same way: `[plugin <id>] …`.
 */
export interface LogFields {
  /** The plugin's id (the manifest `id` once it is read; the folder name or file stem before). Absent for lines about no one plugin. */
  pluginId?: string;
  source: LogSource;
  /** The guest export the plugin was running, when the line was written during one. */
  export?: string;
}

/**
 * Where the kit sends guest logs and its own warnings. The kit never prints on its own. Every
 * line comes with its {@link LogFields} as a second argument (a logger written for text alone
 * may ignore it).
 */
export interface HostLogger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  trace(message: string, fields?: LogFields): void;
}

/** The default logger: drops everything. */
export const silentLogger: HostLogger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  trace: () => undefined,
};

/** The text prefix every kit line about a plugin starts with. */
export function pluginLogPrefix(pluginId: string): string {
  return `[plugin ${pluginId}]`;
}

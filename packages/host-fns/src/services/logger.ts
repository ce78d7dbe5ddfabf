/** Where the kit sends guest logs and its own warnings. The kit never prints on its own. */
export interface HostLogger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
  trace(message: string): void;
}

/** The default logger: drops everything. */
export const silentLogger: HostLogger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  trace: () => undefined,
};

import type { CommandResponse } from '@diaryx/loader';

/** What one load-and-run of the plugin produced in the page. */
export type RunReport =
  | { ok: true; pluginId: string; command: CommandResponse; events: Array<{ pluginId: string; event: unknown }>; mode: string }
  | { ok: false; error: { name: string; message: string; kind: string | null } };

/**
 * A metered plugin's endless call: how it ended, after how long, the page thread's largest gap
 * meanwhile (it yields every slice), how a second endless call ended when its signal fired, and
 * what the next call said.
 */
export type DeadlineReport =
  | { ok: true; kind: string | null; ms: number; deadlineMs: number; maxGapMs: number; abortedKind: string | null; abortedMs: number; next: string }
  | { ok: false; error: { name: string; message: string; kind: string | null } };

/** The web page of docs/hosting.md on createPluginHost: what loaded, how each plugin took an event, a command, a crash, a timeout, and the events the UI saw. */
export type WebHostReport =
  | {
      ok: true;
      loaded: string[];
      broadcast: Record<string, string>;
      count: unknown;
      crash: string;
      hang: string;
      asked: string[];
      notified: string[];
      emitted: string[];
      lifecycle: string[];
    }
  | { ok: false; error: { name: string; message: string; kind: string | null } };

/** Everything the page shows, as JSON in `#result`. */
export interface PageReport {
  crossOriginIsolated: boolean;
  inProcess: RunReport;
  worker: RunReport;
  metered: RunReport;
  /** Loaded with no mode option: the loader's default, `'auto'`. */
  defaultMode: RunReport;
  meteredDeadline: DeadlineReport;
  webHost: WebHostReport;
}

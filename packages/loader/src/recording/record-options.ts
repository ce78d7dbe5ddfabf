/** The loader option `record`: keep a plugin's last calls for {@link LoadedPlugin.takeRecording}. */
export interface RecordOptions {
  /** How many of the plugin's last export calls to keep (default 50; 1 to 10 000). */
  calls?: number;
  /**
   * The largest trace, in bytes of its compact JSON (default 8 MiB; 4 KiB to 1 GiB): older calls
   * are left out first, then the largest values of a call too large alone (`{"omitted": n}`).
   * Also bounds what the recorder holds in memory.
   */
  maxBytes?: number;
  /**
   * Strings (as written, JSON-escaped, URL- or base64-encoded) and patterns replaced everywhere
   * in the trace, on top of the secrets the plugin reads through `host_secret_get`: tokens in
   * configs, e-mail addresses, names.
   */
  redact?: readonly (string | RegExp)[];
}

/** {@link RecordOptions} with the defaults filled in. */
export interface ResolvedRecordOptions {
  calls: number;
  maxBytes: number;
  redact: readonly (string | RegExp)[];
}

/** Default number of calls a recording keeps. */
export const DEFAULT_RECORD_CALLS = 50;
/** Default size limit of a trace: 8 MiB. */
export const DEFAULT_RECORD_MAX_BYTES = 8 * 1024 * 1024;
/** Bounds of the `record` option's numbers. */
export const RECORD_LIMITS = { calls: [1, 10_000], maxBytes: [4096, 1024 * 1024 * 1024] } as const;

/** The `record` option resolved: null when the plugin is not recorded. */
export function resolveRecordOptions(record: boolean | RecordOptions | undefined): ResolvedRecordOptions | null {
  if (record === undefined || record === false) return null;
  const given = record === true ? {} : record;
  return {
    calls: given.calls ?? DEFAULT_RECORD_CALLS,
    maxBytes: given.maxBytes ?? DEFAULT_RECORD_MAX_BYTES,
    redact: [...(given.redact ?? [])],
  };
}

/** Host calls kept per export call; the rest are counted (a host-call storm stays bounded). */
export const MAX_RECORDED_HOST_CALLS = 10_000;

/** The two ways a guest runs, for tests that must hold in both: a worker (with deadlines) and in-process. */
export const LOAD_MODES = [
  ['worker', { runInWorker: true, manifestTimeoutMs: 5_000, timeoutMs: 5_000 }],
  ['in-process', { runInWorker: false }],
] as const;

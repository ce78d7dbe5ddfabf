// One run at a time, and no run lost: a request while a run is going makes exactly one more run
// after it, however many requests came. The rebuild loop of every watcher in the kit.

/** A queue of at most one pending run behind the current one. */
export interface SerialRuns {
  /** Starts a run now, or, while one runs, one more after it (requests during a run coalesce). */
  request(): void;
  /** Resolves when no run is going or pending. */
  idle(): Promise<void>;
  /** Stops starting runs; resolves once the current one (if any) has finished. */
  close(): Promise<void>;
}

/**
 * Serializes `run`: `request()` starts it, or marks one more run for after the current one.
 * A run that throws is passed to `onError` (default: ignored) and does not stop later runs.
 *
 * @example
 * const builds = serialRuns(() => build());
 * watch('src', () => builds.request()); // ten saves during a build → one more build
 */
export function serialRuns(run: () => Promise<void>, onError: (error: unknown) => void = () => undefined): SerialRuns {
  let running: Promise<void> | null = null;
  let again = false;
  let closed = false;
  const start = (): void => {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = run()
      .catch(onError)
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          start();
        }
      });
  };
  const idle = async (): Promise<void> => {
    while (running) await running;
  };
  return {
    request: start,
    idle,
    async close() {
      closed = true;
      again = false;
      await idle();
    },
  };
}

import type { ExtismHostFunction } from '@diaryx/host-fns';
import { afterPendingTasks } from './after-pending-tasks.js';

/** Worker-mode host functions, and how many of their calls are still being answered. */
export interface WorkerHostFunctions {
  functions: Record<string, ExtismHostFunction>;
  inFlight(): number;
}

/**
 * Wraps host functions for a worker plugin: each answers after the host's pending tasks (see
 * afterPendingTasks) and is counted while it is being answered.
 */
export function workerHostFunctions(functions: Record<string, ExtismHostFunction>): WorkerHostFunctions {
  let inFlight = 0;
  const wrapped: Record<string, ExtismHostFunction> = {};
  for (const [name, fn] of Object.entries(functions)) {
    wrapped[name] = async (memory, input) => {
      inFlight++;
      try {
        return await afterPendingTasks(await fn(memory, input));
      } finally {
        inFlight--;
      }
    };
  }
  return { functions: wrapped, inFlight: () => inFlight };
}

// @extism/extism 2.0.0-rc13 answers a host call by writing to memory it shares with the worker,
// then waits (polling every 500 ms, with an interval timer that keeps the process alive) until
// the worker moves the shared flag. A worker terminated mid-call never does: the wait, and the
// timer, last for ever. Measured: every timed-out call of a plugin busy with host calls left
// two or three such timers, and the process could not exit.
const SDK_FLAG_IDLE = 4; // rc13's SAB_BASE_OFFSET: the flag's value when no answer is pending
const RELEASE_EVERY_MS = 20;
const RELEASE_AFTER_IDLE = 5;

/**
 * After terminating a worker, moves the shared flag for the SDK until no host call of that
 * worker is being answered any more (and a few rounds after), so its waits end. The timer
 * never keeps the process alive.
 */
export function releaseAbandonedAnswers(sharedData: SharedArrayBuffer | undefined, hostCalls: WorkerHostFunctions): void {
  if (!sharedData) return;
  const flag = new Int32Array(sharedData, 0, 1);
  let idleRounds = 0;
  const timer = setInterval(() => {
    Atomics.store(flag, 0, SDK_FLAG_IDLE);
    Atomics.notify(flag, 0);
    idleRounds = hostCalls.inFlight() === 0 ? idleRounds + 1 : 0;
    if (idleRounds >= RELEASE_AFTER_IDLE) clearInterval(timer);
  }, RELEASE_EVERY_MS);
  (timer as { unref?: () => void }).unref?.();
}

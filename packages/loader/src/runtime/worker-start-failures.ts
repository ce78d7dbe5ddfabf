import type { Worker } from 'node:worker_threads';
import type { HostLogger } from '@diaryx/host-fns';
import { toError } from '../errors.js';

// rc13 starts each worker without an 'error' listener, so a guest that traps while being
// instantiated (e.g. in its start function) would crash the whole host process, and the SDK
// would wait for the dead worker until its start-up deadline. While worker plugins are being
// created, every new worker gets a listener instead: a worker that fails before it is ready fails
// its creation at once. The SDK does not say which creation a worker belongs to, but a failed
// worker's creation never completes: once as many creations are pending as workers have failed,
// the pending ones are the failed ones. Node only: browsers report a failing worker as an event.

interface Creation {
  logger: HostLogger;
  fail: (error: Error) => void;
}

interface WorkerEvents {
  on(event: 'worker', listener: (worker: Worker) => void): unknown;
  off(event: 'worker', listener: (worker: Worker) => void): unknown;
}
const nodeProcess: WorkerEvents | null = typeof globalThis.process?.on === 'function' ? globalThis.process : null;

const creations = new Set<Creation>();
let unclaimedFailures: Error[] = [];

function settle(): void {
  if (unclaimedFailures.length === 0 || unclaimedFailures.length < creations.size) return;
  const failures = unclaimedFailures;
  unclaimedFailures = [];
  [...creations].forEach((creation, i) => creation.fail(failures[Math.min(i, failures.length - 1)]!));
}

function watchWorker(worker: Worker): void {
  if (creations.size === 0) return;
  const loggers = [...new Set([...creations].map((c) => c.logger))];
  let ready = false;
  const onMessage = (message: unknown) => {
    if ((message as { type?: unknown } | null)?.type !== 'ready') return;
    ready = true;
    worker.off('message', onMessage);
  };
  worker.on('message', onMessage);
  worker.on('error', (error: unknown) => {
    const cause = toError(error);
    for (const logger of loggers) logger.debug(`a plugin worker failed while starting: ${cause.message}`);
    if (ready) return;
    unclaimedFailures.push(cause);
    settle();
  });
}

/**
 * Runs the creation of a worker-mode SDK plugin so that a worker failing while it starts (a trap
 * in the module's start function) rejects it at once with the worker's error.
 */
export async function failFastWhileStarting<T>(logger: HostLogger, start: () => Promise<T>): Promise<T> {
  if (nodeProcess === null) return start();
  let fail: (error: Error) => void = () => undefined;
  const failed = new Promise<never>((_resolve, reject) => (fail = reject));
  const creation: Creation = { logger, fail };
  if (creations.size === 0) nodeProcess.on('worker', watchWorker);
  creations.add(creation);
  try {
    return await Promise.race([start(), failed]);
  } finally {
    creations.delete(creation);
    if (creations.size === 0) {
      nodeProcess.off('worker', watchWorker);
      unclaimedFailures = [];
    } else {
      settle();
    }
  }
}

import type { Worker } from 'node:worker_threads';
import type { AsyncLocalStorage } from 'node:async_hooks';
import type { Plugin } from '@extism/extism';
import type { HostLogger } from '@diaryx/host-fns';
import { toError } from '../errors.js';
import { throwIfAborted } from './call-stop.js';

// Starting a worker-mode SDK plugin, with two rc13 defects answered (Node):
// - rc13 starts each worker without an 'error' listener, so a guest that traps while being
//   instantiated (in its start function) would crash the whole host process, and the SDK would
//   wait for the dead worker until its start-up deadline.
// - rc13's own start-up deadline is a timer it never clears: after every plugin is closed the
//   process could not exit for up to that deadline (9.9 s with the defaults).
// So the SDK gets no start-up deadline here; each worker is attributed to the start that made it
// (an AsyncLocalStorage store is current in the worker's constructor, which emits the process's
// 'worker' event), its errors fail that start at once, and the start's own clearable deadline
// terminates it. Browsers have no such event: there the SDK keeps its own start-up deadline.

/** The message of a start-up that outlived its deadline (the SDK's wording). */
export const START_TIMEOUT_MESSAGE = 'EXTISM: timed out while waiting for plugin to instantiate';

interface Start {
  logger: HostLogger;
  worker: Worker | null;
  ready: boolean;
  fail: (error: Error) => void;
}

interface NodeWorkerEvents {
  on(event: 'worker', listener: (worker: Worker) => void): unknown;
  off(event: 'worker', listener: (worker: Worker) => void): unknown;
  getBuiltinModule?: (name: string) => unknown;
}

const nodeProcess = (globalThis as { process?: NodeWorkerEvents }).process;
const asyncHooks =
  typeof nodeProcess?.on === 'function'
    ? (nodeProcess.getBuiltinModule?.('node:async_hooks') as typeof import('node:async_hooks') | undefined)
    : undefined;
const startsInProgress: AsyncLocalStorage<Start> | null = asyncHooks ? new asyncHooks.AsyncLocalStorage<Start>() : null;
let pending = 0;

/** Whether worker starts are watched here (Node); elsewhere the SDK's own start deadline applies. */
export const watchesWorkerStarts = startsInProgress !== null;

function onWorker(worker: Worker): void {
  const start = startsInProgress?.getStore();
  if (!start || start.worker !== null) return;
  start.worker = worker;
  const onMessage = (message: unknown) => {
    if ((message as { type?: unknown } | null)?.type !== 'ready') return;
    start.ready = true;
    worker.off('message', onMessage);
  };
  worker.on('message', onMessage);
  worker.on('error', (error: unknown) => {
    const cause = toError(error);
    start.logger.debug(`a plugin worker failed${start.ready ? '' : ' while starting'}: ${cause.message}`, { source: 'loader' });
    if (!start.ready) start.fail(cause);
  });
}

/**
 * Runs `create` (an SDK worker plugin's creation) so that a worker failing while it starts
 * rejects at once with the worker's error, and one still starting after `deadlineMs` (or when
 * `signal` fires) is terminated and rejects; no timer is left behind.
 */
export async function startWorkerPlugin(
  create: () => Promise<Plugin>,
  options: { deadlineMs: number | null; signal: AbortSignal | null; logger: HostLogger },
): Promise<Plugin> {
  throwIfAborted(options.signal);
  if (!startsInProgress || !nodeProcess) return create();
  let fail: (error: Error) => void = () => undefined;
  const failed = new Promise<never>((_resolve, reject) => (fail = reject));
  failed.catch(() => undefined); // a failure after the start won is nobody's to handle
  const start: Start = { logger: options.logger, worker: null, ready: false, fail };
  if (pending++ === 0) nodeProcess.on('worker', onWorker);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const onAbort = () => {
    try {
      throwIfAborted(options.signal);
    } catch (error) {
      fail(error as Error);
    }
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.deadlineMs !== null) timer = setTimeout(() => fail(new Error(START_TIMEOUT_MESSAGE)), options.deadlineMs);
  const creating = startsInProgress.run(start, create);
  try {
    return await Promise.race([creating, failed]);
  } catch (error) {
    // The creation lost: end its worker, and close the plugin should it still arrive.
    void start.worker?.terminate();
    creating.then((plugin) => plugin.close(), () => undefined).catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    if (--pending === 0) nodeProcess.off('worker', onWorker);
  }
}

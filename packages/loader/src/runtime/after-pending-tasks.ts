/**
 * Resolves with `value` after the host's pending tasks have run (a macrotask later).
 *
 * Why, for worker-mode host functions under @extism/extism 2.0.0-rc13: after each host call the
 * SDK's main-thread writer waits on the shared flag with `Atomics.waitAsync`; the worker wakes
 * it, but the promise is settled by a task the host runs later. Measured with two or more worker
 * plugins in one process: the next host call's answer was often written while that waiter was
 * still unsettled (two or three waiters on one flag), the SDK's `Atomics.notify(flag, 0, 1)` then
 * woke a stale main-thread waiter instead of the worker, and the worker slept until its 500 ms
 * poll, so the host call took 500 ms. Answering after the pending tasks lets the stale waiter
 * settle first (no such stall in 50,000 alternating calls; `pnpm bench` counts them).
 */
export function afterPendingTasks<T>(value: T): Promise<T> {
  return new Promise((resolve) => schedule(() => resolve(value)));
}

/** Resolves in the next task of the event loop (a macrotask: timers, I/O and other tasks run first). */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => schedule(resolve));
}

const schedule: (callback: () => void) => void =
  typeof globalThis.setImmediate === 'function' ? (callback) => void globalThis.setImmediate(callback) : messageChannelScheduler();

// Browsers have no setImmediate; a MessageChannel message is a task without setTimeout's clamping.
function messageChannelScheduler(): (callback: () => void) => void {
  const queue: (() => void)[] = [];
  const channel = new MessageChannel();
  channel.port1.onmessage = () => queue.shift()?.();
  return (callback) => {
    queue.push(callback);
    channel.port2.postMessage(null);
  };
}

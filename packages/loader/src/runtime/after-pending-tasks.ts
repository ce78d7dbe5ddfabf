/**
 * Resolves with `value` after the host's pending tasks have run (a macrotask later).
 *
 * Why, for worker-mode host functions under @extism/extism 2.0.0-rc13: after a host call the
 * SDK's main-thread writer waits on the shared flag with `Atomics.waitAsync`. When the worker
 * wakes that waiter, its promise is settled by a task the host runs later, and the waiter stays
 * on the flag's wait list until then. If the next host call's answer is written before that task
 * runs, the SDK's `Atomics.notify(flag, 0, 1)` wakes the stale main-thread waiter (first in line)
 * instead of the worker, which sleeps until its 500 ms poll: every such host call takes 500 ms.
 * Seen with two or more worker plugins in one process; measured in `pnpm bench`. Answering
 * after the pending tasks lets the stale waiter go first.
 */
export function afterPendingTasks<T>(value: T): Promise<T> {
  return new Promise((resolve) => schedule(() => resolve(value)));
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

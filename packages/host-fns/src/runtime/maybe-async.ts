/** A value that may or may not be wrapped in a Promise (services may be sync or async). */
export type MaybePromise<T> = T | PromiseLike<T>;

/**
 * A host-function body written as a generator: `yield* wait(x)` suspends only when `x` is a
 * Promise. Synchronous services therefore run the whole body synchronously (the fast path,
 * and the only path an in-process plugin can use); a Promise switches to async execution.
 */
export type HostTask<T> = Generator<unknown, T, unknown>;

/** True for a Promise (or any thenable). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Waits for a service result inside a {@link HostTask}; returns it with its type. */
export function* wait<T>(value: MaybePromise<T>): Generator<MaybePromise<T>, T, unknown> {
  // A plain value needs no round trip through the runner.
  if (!isThenable(value)) return value;
  return (yield value) as T;
}


export function runTask<T>(task: HostTask<T>): MaybePromise<T> {
  let step = task.next();
  while (!step.done) {
    if (isThenable(step.value)) return finishAsync(task, step.value);
    step = task.next(step.value);
  }
  return step.value;
}

async function finishAsync<T>(task: HostTask<T>, pending: PromiseLike<unknown>): Promise<T> {
  let step: IteratorResult<unknown, T>;
  try {
    step = task.next(await pending);
  } catch (error) {
    step = task.throw(error);
  }
  while (!step.done) {
    try {
      step = task.next(isThenable(step.value) ? await step.value : step.value);
    } catch (error) {
      step = task.throw(error);
    }
  }
  return step.value;
}

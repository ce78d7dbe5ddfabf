/**
 * Runs tasks one at a time, in order (Rust: one mutex per plugin). Worker-mode Extism plugins
 * reject concurrent calls ("plugin is not reentrant"), so every guest call goes through here.
 * An idle queue starts the task at once: the common case (one call at a time) costs no extra
 * turn of the event loop. A waiting task whose signal fires is rejected at once and skipped.
 */
export class CallQueue {
  #tail: Promise<void> = Promise.resolve();
  #pending = 0;
  readonly #settled = (): void => {
    this.#pending--;
  };

  /**
   * Runs `task` after every task queued before it; its result or error is passed through. When
   * `signal` fires while the task waits, the result rejects at once with `aborted()` and the task
   * never runs.
   */
  run<T>(task: () => Promise<T>, signal?: AbortSignal | null, aborted?: () => Error): Promise<T> {
    let result: Promise<T>;
    let slot: Promise<unknown>;
    if (this.#pending === 0) slot = result = start(task);
    else if (!signal || !aborted) slot = result = this.#tail.then(task, task);
    else [result, slot] = this.#waitCancellably(task, signal, aborted);
    this.#pending++;
    this.#tail = slot.then(this.#settled, this.#settled);
    return result;
  }

  /** The task's result, and when its slot in the queue is over (it ran, or its turn came after it was given up). */
  #waitCancellably<T>(task: () => Promise<T>, signal: AbortSignal, aborted: () => Error): [Promise<T>, Promise<unknown>] {
    let giveUp: () => void = () => undefined;
    const givenUp = new Promise<never>((_resolve, reject) => (giveUp = () => reject(aborted())));
    givenUp.catch(() => undefined);
    let isGivenUp = signal.aborted;
    const onAbort = () => {
      isGivenUp = true;
      giveUp();
    };
    if (isGivenUp) giveUp();
    else signal.addEventListener('abort', onAbort, { once: true });
    const slot = this.#tail.then(() => {
      signal.removeEventListener('abort', onAbort);
      return isGivenUp ? undefined : start(task);
    });
    const result = Promise.race([slot as Promise<T>, givenUp]);
    return [result, slot];
  }
}

function start<T>(task: () => Promise<T>): Promise<T> {
  try {
    return task();
  } catch (error) {
    return Promise.reject(error);
  }
}

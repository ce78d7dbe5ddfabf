/**
 * Runs tasks one at a time, in order (Rust: one mutex per plugin). Worker-mode Extism plugins
 * reject concurrent calls ("plugin is not reentrant"), so every guest call goes through here.
 * An idle queue starts the task at once: the common case (one call at a time) costs no extra
 * turn of the event loop.
 */
export class CallQueue {
  #tail: Promise<void> = Promise.resolve();
  #pending = 0;
  readonly #settled = (): void => {
    this.#pending--;
  };

  /** Runs `task` after every task queued before it; its result or error is passed through. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#pending === 0 ? start(task) : this.#tail.then(task, task);
    this.#pending++;
    this.#tail = result.then(this.#settled, this.#settled);
    return result;
  }
}

function start<T>(task: () => Promise<T>): Promise<T> {
  try {
    return task();
  } catch (error) {
    return Promise.reject(error);
  }
}

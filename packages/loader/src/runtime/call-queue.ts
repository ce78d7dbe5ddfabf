/**
 * Runs tasks one at a time, in order (Rust: one mutex per plugin). Worker-mode Extism plugins
 * reject concurrent calls ("plugin is not reentrant"), so every guest call goes through here.
 */
export class CallQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` after every task queued before it; its result or error is passed through. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task, task);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

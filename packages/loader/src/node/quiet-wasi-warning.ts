const QUIETED = Symbol.for('diaryx.quietWasiWarning');

/** Node's one-off warning when `@extism/extism` loads `node:wasi`. */
function isWasiExperimentalWarning(warning: Error): boolean {
  return warning.name === 'ExperimentalWarning' && warning.message.startsWith('WASI ');
}

/**
 * Drops Node's `ExperimentalWarning: WASI is an experimental feature …` (printed when the
 * Extism SDK loads `node:wasi`) and passes every other warning on to the listeners there were,
 * Node's own printer included. For programs that start Node (a CLI, a script): import it from
 * `@diaryx/loader/quiet-wasi-warning` (which loads nothing else), call it, and only then import
 * `@diaryx/loader` dynamically (`await import(...)`): a static import loads `node:wasi` before
 * any of the program's code runs. Calling it again does nothing.
 */
export function quietWasiWarning(): void {
  const proc = process as NodeJS.Process & { [QUIETED]?: true };
  if (proc[QUIETED]) return;
  proc[QUIETED] = true;
  const listeners = proc.listeners('warning');
  proc.removeAllListeners('warning');
  proc.on('warning', (warning) => {
    if (isWasiExperimentalWarning(warning)) return;
    for (const listener of listeners) listener.call(proc, warning);
  });
}

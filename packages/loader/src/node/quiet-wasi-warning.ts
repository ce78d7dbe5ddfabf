const QUIETED = Symbol.for('diaryx.quietWasiWarning');

/** Node's one-off warning when `@extism/extism` loads `node:wasi`. */
function isWasiExperimentalWarning(warning: Error): boolean {
  return warning.name === 'ExperimentalWarning' && warning.message.startsWith('WASI ');
}

/**
 * Drops Node's `ExperimentalWarning: WASI is an experimental feature …` (printed when the
 * Extism SDK loads `node:wasi`) and passes every other warning on to the listeners there were,
 * Node's own printer included. For programs that start Node (a CLI, a script, an app), any of:
 * - `import '@diaryx/loader/quiet-wasi-warning/register';` as the program's first import (static
 *   imports of `@diaryx/loader` after it print nothing);
 * - `node --import @diaryx/loader/quiet-wasi-warning/register app.js`;
 * - this function from `@diaryx/loader/quiet-wasi-warning` (which loads nothing else), called
 *   before `@diaryx/loader` is imported dynamically (`await import(...)`).
 * (Node's own `--disable-warning=ExperimentalWarning` drops every experimental warning.)
 * Calling it again does nothing.
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

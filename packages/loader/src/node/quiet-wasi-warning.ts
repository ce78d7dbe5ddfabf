const QUIETED = Symbol.for('diaryx.quietWasiWarning');

/** Node's one-off warning when `@extism/extism` loads `node:wasi`. */
function isWasiExperimentalWarning(warning: Error): boolean {
  return warning.name === 'ExperimentalWarning' && warning.message.startsWith('WASI ');
}

/**
 * Drops Node's `ExperimentalWarning: WASI is an experimental feature …` (printed when the
 * Extism SDK loads `node:wasi`) and passes every other warning on to the listeners there were,
 * Node's own printer included. The loader imports the SDK (and Node loads `node:wasi`) when the
 * first plugin starts, so a program (a CLI, a script, an app) calls it any time before that:
 * `import { quietWasiWarning } from '@diaryx/loader'` (or from `@diaryx/loader/quiet-wasi-warning`,
 * which loads nothing else), then `quietWasiWarning()`. Or, with no code:
 * `import '@diaryx/loader/quiet-wasi-warning/register'`, or
 * `node --import @diaryx/loader/quiet-wasi-warning/register app.js`. (Node's own
 * `--disable-warning=ExperimentalWarning` drops every experimental warning.) Calling it again does nothing.
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

import { type ChildProcess, spawn } from 'node:child_process';

/** A long-running child process (a watcher) whose output a test waits on. */
export interface WatchedChild {
  /** Everything the child wrote so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves once the output has `count` matches of `pattern` (default 1); rejects after `timeoutMs` with the output. */
  waitFor(pattern: RegExp, options?: { count?: number; timeoutMs?: number }): Promise<void>;
  /** Sends `signal` (default SIGINT, as Ctrl-C) and resolves with the exit code (null if killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `command args` in `cwd` with piped output; stop it (or it is killed when the test process ends). */
export function startChild(command: string, args: string[], cwd: string): WatchedChild {
  const child: ChildProcess = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let text = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    output: () => text,
    waitFor(pattern, { count = 1, timeoutMs = 60_000 } = {}) {
      const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
      const reached = () => [...text.matchAll(global)].length >= count;
      return new Promise((resolve, reject) => {
        const done = () => {
          listeners.delete(check);
          clearTimeout(timer);
        };
        const check = () => {
          if (reached()) {
            done();
            resolve();
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${count} × ${pattern}; the output was:\n${text}`));
        }, timeoutMs);
        void exited.then((code) => {
          if (!reached()) {
            done();
            reject(new Error(`the process exited (${code}) before ${count} × ${pattern}; the output was:\n${text}`));
          }
        });
        listeners.add(check);
        check();
      });
    },
    async stop(signal = 'SIGINT') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

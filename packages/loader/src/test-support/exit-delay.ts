import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What a script run to its end printed, and how long after it printed `closed at <ms>` it exited. */
export interface ExitDelay {
  ms: number;
  stdout: string;
  stderr: string;
  code: number | null;
}

/**
 * Runs a test-support script (TypeScript or ESM, with the workspace's sources) in a child
 * Node process until it exits by itself: a script that closes what it opened and then prints
 * `closed at <Date.now()>` tells how long anything it left running kept the process alive.
 */
export async function runUntilExit(script: string, args: readonly string[] = []): Promise<ExitDelay> {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', '--conditions=@diaryx/source', '--import', 'tsx', script, ...args], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
  const exitedAt = Date.now();
  const closedAt = Number(/closed at (\d+)/.exec(stdout)?.[1] ?? Number.NaN);
  return { ms: exitedAt - closedAt, stdout, stderr, code };
}

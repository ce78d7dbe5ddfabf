// The checks every command makes on its arguments: a bad path or value prints one line and
// exits with code 2.
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { resolveWasmPath } from './module-info.js';
import { palette } from './output.js';

const c = palette();

/** Prints the one-line error and exits with code 2. */
export function fail(message: string): never {
  console.error(`${c.red('error')} ${message}`);
  process.exit(2);
}

/** The value, or the one-line error and exit code 2. */
export function orFail<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    fail((error as Error).message);
  }
}

export async function checkWorkspace(path: string): Promise<string> {
  const info = await stat(path).catch(() => null);
  if (!info?.isDirectory()) fail(`--workspace ${path} ${info ? 'is not a folder' : 'does not exist'}: give the folder of a Diaryx workspace`);
  return path;
}

export async function checkWasm(path: string): Promise<string> {
  const advice = 'give a plugin.wasm (build the plugin first, e.g. npm run build)';
  const wasmPath = await resolveWasmPath(path).catch((error: unknown) => fail(`${(error as Error).message}: ${advice}`));
  const info = await stat(wasmPath).catch(() => null);
  if (!info?.isFile()) fail(`${wasmPath} ${info ? 'is not a file' : 'does not exist'}: ${advice}`);
  return wasmPath;
}

/** A file the command will write (`--storage`, `--record`): its folder exists and it is not a folder. */
export async function checkOutputFile(option: string, path: string, what: string): Promise<void> {
  const info = await stat(dirname(resolve(path))).catch(() => null);
  if (!info?.isDirectory()) fail(`${option} ${path}: the folder ${dirname(resolve(path))} does not exist`);
  if ((await stat(path).catch(() => null))?.isDirectory()) fail(`${option} ${path} is a folder: give the path of ${what}`);
}

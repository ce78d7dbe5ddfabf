import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** Where the package keeps the built runtime and the prelude (relative to src/ or dist/). */
export const RUNTIME_WASM_PATH = fileURLToPath(new URL('../dist/runtime.wasm', import.meta.url));
export const PRELUDE_PATH = fileURLToPath(new URL('../runtime/prelude.js', import.meta.url));

/** The runtime's bytes. @throws Error naming the build command when it is missing */
export async function readRuntime(): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(RUNTIME_WASM_PATH));
  } catch {
    throw new Error(
      `${RUNTIME_WASM_PATH} is missing: build @diaryx/js-runtime first (pnpm --filter @diaryx/js-runtime build); ` +
        'the published package ships it',
    );
  }
}

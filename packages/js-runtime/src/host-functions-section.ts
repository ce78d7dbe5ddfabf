// The custom section a built plugin carries with the host functions its code references. The
// runtime imports all 31 (any plugin may call any of them), so the import list says nothing
// about a plugin; `diaryx-plugin inspect` reads this section instead.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The generated host module (dist/host.js): one `export const host_x` per host function. */
const HOST_MODULE_PATH = fileURLToPath(new URL('../dist/host.js', import.meta.url));

/** The name of the custom section: a JSON array of host function names. */
export const HOST_FUNCTIONS_SECTION = 'diaryx.host_functions';

/**
 * The host functions a bundle references. esbuild keeps every definition of the host module
 * (`var host_x = functions.host_x;`, a property read it cannot prove pure) but only the SDK
 * wrappers and plugin code that are used: the names met outside those definitions are the ones
 * the code references (esbuild may suffix a renamed binding with a number).
 */
export async function referencedHostFunctions(bundle: string): Promise<string[]> {
  const hostModule = await readFile(HOST_MODULE_PATH, 'utf8');
  const known = new Set<string>([...hostModule.matchAll(/export const (host_[a-z_]+)/g)].map((m) => m[1]!));
  const uses = bundle.replace(/\b(?:var|let|const)\s+host_[a-z_]+\d*\s*=\s*[\w$]+\.host_[a-z_]+\s*[;,]/g, '');
  const found = new Set<string>();
  for (const match of uses.matchAll(/\b(host_[a-z_]+?)\d*\b/g)) if (known.has(match[1]!)) found.add(match[1]!);
  return [...found].sort();
}

function unsignedLeb(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    bytes.push(byte);
  } while (value > 0);
  return bytes;
}

/** The wasm with a custom section appended. */
export function withCustomSection(wasm: Uint8Array, name: string, payload: Uint8Array): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  const body = [...unsignedLeb(nameBytes.length), ...nameBytes, ...payload];
  return Uint8Array.from([...wasm, 0, ...unsignedLeb(body.length), ...body]);
}

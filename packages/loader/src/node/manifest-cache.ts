import { readFile, stat } from 'node:fs/promises';
import { sortKeys } from '@diaryx/host-fns';
import { parseGuestManifest, serializeManifest } from '../protocol/manifest-parse.js';
import type { GuestManifest } from '../protocol/types.js';
import { writeFileAtomic } from './atomic-write.js';

async function mtimeNs(path: string): Promise<bigint | null> {
  try {
    return (await stat(path, { bigint: true })).mtimeNs;
  } catch {
    return null;
  }
}

/**
 * Rust's freshness rule: the cache is used only when both mtimes can be read and
 * mtime(manifest.json) ≥ mtime(plugin.wasm) (equal counts as fresh).
 */
export async function isManifestCacheFresh(cachePath: string, wasmPath: string): Promise<boolean> {
  const [cache, wasm] = await Promise.all([mtimeNs(cachePath), mtimeNs(wasmPath)]);
  return cache !== null && wasm !== null && cache >= wasm;
}

/** Reads the cache text (I/O errors propagate) and parses it (shape errors propagate). */
export async function readManifestCache(cachePath: string): Promise<GuestManifest> {
  return parseGuestManifest(await readFile(cachePath, 'utf8'));
}

/** Writes `manifest.json` exactly as Rust does (pretty, field order), atomically. */
export async function writeManifestCache(cachePath: string, manifest: GuestManifest): Promise<void> {
  await writeFileAtomic(cachePath, serializeManifest(manifest, sortKeys));
}

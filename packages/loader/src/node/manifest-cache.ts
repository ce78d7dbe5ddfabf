import { readFile } from 'node:fs/promises';
import { sortKeys } from '@diaryx/host-fns';
import { parseGuestManifest, serializeManifest } from '../protocol/manifest-parse.js';
import type { GuestManifest } from '../protocol/types.js';
import { writeFileAtomic } from './atomic-write.js';

/**
 * Rust's freshness rule: the cache is used only when both mtimes can be read and
 * mtime(manifest.json) ≥ mtime(plugin.wasm) (equal counts as fresh).
 */
export function isFresh(cacheMtimeNs: bigint | null, wasmMtimeNs: bigint | null): boolean {
  return cacheMtimeNs !== null && wasmMtimeNs !== null && cacheMtimeNs >= wasmMtimeNs;
}

/** Reads the cache text (I/O errors propagate) and parses it (shape errors propagate). */
export async function readManifestCache(cachePath: string): Promise<GuestManifest> {
  return parseGuestManifest(await readFile(cachePath, 'utf8'));
}

/** Writes `manifest.json` exactly as Rust does (pretty, field order), atomically. */
export async function writeManifestCache(cachePath: string, manifest: GuestManifest): Promise<void> {
  await writeFileAtomic(cachePath, serializeManifest(manifest, sortKeys));
}

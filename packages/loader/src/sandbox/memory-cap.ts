import { ByteWriter, importEntries, type Reader, readSections, readU32, replaceSectionBody, SECTION, WasmFormatError } from '@diaryx/wasm';

/** Why a module's memory could not be capped. */
export type MemoryCapErrorKind = 'not_wasm' | 'truncated' | 'min_exceeds_cap' | 'imported_memory' | 'unsupported_memory';

/** A module the memory cap refuses. */
export class MemoryCapError extends Error {
  override readonly name = 'MemoryCapError';
  constructor(
    readonly kind: MemoryCapErrorKind,
    message: string,
  ) {
    super(message);
  }
}

const PAGE_MIB = 1 / 16;

function cappedMemorySection(body: Uint8Array, maxPages: number): Uint8Array {
  const r: Reader = { bytes: body, pos: 0 };
  const out = new ByteWriter(body.length + 8);
  const count = readU32(r);
  out.unsigned(count);
  for (let i = 0; i < count; i++) {
    const flags = body[r.pos++];
    if (flags !== 0x00 && flags !== 0x01) {
      throw new MemoryCapError('unsupported_memory', `memory flags 0x${(flags ?? 0).toString(16)} (shared or 64-bit memory) are not supported`);
    }
    const min = readU32(r);
    const max = flags === 0x01 ? readU32(r) : Number.POSITIVE_INFINITY;
    if (min > maxPages) {
      throw new MemoryCapError(
        'min_exceeds_cap',
        `the module needs at least ${min} pages (${min * PAGE_MIB} MiB) of memory, more than the cap of ${maxPages} pages ` +
          `(${maxPages * PAGE_MIB} MiB); raise the loader option maxMemoryPages to load it`,
      );
    }
    out.byte(0x01);
    out.unsigned(min);
    out.unsigned(Math.min(max, maxPages));
  }
  if (r.pos !== body.length) throw new MemoryCapError('not_wasm', 'the memory section has trailing bytes');
  return out.view();
}

function capped(bytes: Uint8Array, maxPages: number): Uint8Array {
  const sections = readSections(bytes);
  for (const section of sections) {
    if (section.id !== SECTION.import) continue;
    for (const entry of importEntries(section.body)) {
      if (entry.kind === 0x02) throw new MemoryCapError('imported_memory', 'the module imports its memory; plugins must define their own');
    }
  }
  const memories = sections.filter((s) => s.id === SECTION.memory);
  if (memories.length === 0) return bytes;
  if (memories.length > 1) throw new MemoryCapError('not_wasm', 'the module has more than one memory section');
  return replaceSectionBody(bytes, memories[0]!, cappedMemorySection(memories[0]!.body, maxPages));
}

/**
 * Rewrites a module so that its linear memory can never grow past `maxPages` (64 KiB each):
 * Extism's own memory option caps only host-side blocks, not the guest's `memory.grow`. Every
 * byte outside the memory section is copied unchanged; a module without memory is returned as is.
 * @throws MemoryCapError for input that is not wasm, is truncated, imports its memory, or needs
 * more than the cap to start
 */
export function capMemory(bytes: Uint8Array, maxPages: number): Uint8Array {
  try {
    return capped(bytes, maxPages);
  } catch (error) {
    if (!(error instanceof WasmFormatError)) throw error;
    throw new MemoryCapError(error.kind === 'truncated' ? 'truncated' : 'not_wasm', error.message);
  }
}

// Trace files of `run --record`, `dev --record` and `replay`: pretty JSON written whole (a
// temporary file, then a rename), read back through the trace's schema check.
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { MAX_TRACE_TEXT_BYTES, parseTrace, type PluginTrace } from '@diaryx/loader';

/** Writes a trace as pretty JSON (atomically: a reader never sees half a file). */
export async function writeTraceFile(path: string, trace: PluginTrace): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(trace, null, 2)}\n`);
  await rename(temporary, path);
}

/**
 * Reads and checks a trace file.
 * @throws Error naming the file and what is wrong with it (the field, for a trace that is not valid)
 */
export async function readTraceFile(path: string): Promise<PluginTrace> {
  let text: string;
  try {
    // A trace comes from someone else: its size is checked before it is read.
    const { size } = await stat(path);
    if (size > MAX_TRACE_TEXT_BYTES) throw new Error(`it is ${size} bytes, more than a trace may be (${MAX_TRACE_TEXT_BYTES})`);
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the trace ${path}: ${(error as Error).message}`);
  }
  try {
    return parseTrace(text);
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}

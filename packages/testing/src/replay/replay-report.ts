import type { ReplayResult } from './replay-trace.js';

/**
 * A replay's outcome as a person reads it, line by line (a terminal prints each one escaped: a
 * recorded side may hold newlines): that every call replayed identically, or the first
 * divergence with both sides, how many more there are, and the notes that may explain it.
 */
export function replayReportLines(result: ReplayResult): string[] {
  const { trace } = result;
  const name = `${trace.plugin.id} ${trace.plugin.version}`;
  const notes = result.notes.map((note) => `note: ${note}`);
  if (result.divergence === null) {
    return [`${name}: ${result.calls.length} of ${trace.calls.length} calls replayed identically (${result.strict ? 'strict' : 'lenient'})`, ...notes];
  }
  const [first, ...rest] = result.divergence.lines;
  const more = result.divergences.length - 1;
  const others = result.divergences.slice(1, 4).map((d) => `${d.kind} at call ${d.call}`).join(', ');
  return [
    `${name}: ${first ?? ''}`,
    ...rest,
    ...(more > 0 ? [`(and ${more} more divergence${more === 1 ? '' : 's'}: ${others}${more > 3 ? ', …' : ''})`] : []),
    ...notes,
  ];
}

/** {@link replayReportLines} as one text. */
export function describeReplay(result: ReplayResult): string {
  return replayReportLines(result).join('\n');
}

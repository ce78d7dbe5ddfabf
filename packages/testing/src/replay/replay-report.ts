import type { ReplayResult } from './replay-trace.js';

/**
 * A replay's outcome as a person reads it: that every call replayed identically, or the first
 * divergence with both sides, how many more there are, and the notes that may explain it.
 */
export function describeReplay(result: ReplayResult): string {
  const { trace } = result;
  const name = `${trace.plugin.id} ${trace.plugin.version}`;
  const notes = result.notes.map((note) => `\nnote: ${note}`).join('');
  if (result.divergence === null) {
    return `${name}: ${result.calls.length} of ${trace.calls.length} calls replayed identically (${result.strict ? 'strict' : 'lenient'})${notes}`;
  }
  const more = result.divergences.length - 1;
  return (
    `${name}: ${result.divergence.message}` +
    (more > 0 ? `\n(and ${more} more divergence${more === 1 ? '' : 's'}: ${result.divergences.slice(1, 4).map((d) => `${d.kind} at call ${d.call}`).join(', ')}${more > 3 ? ', …' : ''})` : '') +
    notes
  );
}

// `diaryx-plugin replay --emit-test`: a Vitest file that replays a trace against the plugin, with
// what each call answered when it was recorded written out as the replay's `expect`, for the
// plugin's author to change the wrong one into what the plugin should answer (a failing test).
import { basename, dirname, relative, sep } from 'node:path';
import type { PluginTrace, TraceValue } from '@diaryx/loader';

/** JSON as JavaScript source; the two line separators JSON leaves raw are escaped too. */
function literal(value: unknown, indent: string): string {
  const text = JSON.stringify(value, null, 2)
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
  // A "__proto__" key in an object literal would set the prototype instead: read such values as JSON.
  if (/"__proto__"\s*:/.test(text)) return `JSON.parse(${JSON.stringify(JSON.stringify(value)).replaceAll('\u2028', '\\u2028').replaceAll('\u2029', '\\u2029')})`;
  return text.split('\n').join(`\n${indent}`);
}

/** Text safe inside a `//` comment: one line, no control characters, bounded. */
function comment(text: string): string {
  const line = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
  return line.length > 160 ? `${line.slice(0, 160)}…` : line;
}

/** The recorded output as the value `expect` compares: JSON, else text; null for none; undefined when it cannot be written (bytes, left out). */
function expectedOf(output: TraceValue | null): unknown {
  if (output === null) return undefined;
  if (typeof output !== 'string') return undefined;
  try {
    return JSON.parse(output) as unknown;
  } catch {
    return output;
  }
}

/** A relative module specifier from the test file's folder to `target`. */
function specifier(testPath: string, target: string): string {
  const path = relative(dirname(testPath), target).split(sep).join('/');
  return path.startsWith('.') ? path : `./${path}`;
}

/**
 * The source of a Vitest file that replays `trace` (read from `tracePath`) against the plugin at
 * `wasmPath`; paths are written relative to `testPath`.
 */
export function emitReplayTest(options: { trace: PluginTrace; testPath: string; wasmPath: string; tracePath: string; source: string }): string {
  const { trace } = options;
  const entries: string[] = [];
  for (const [index, call] of trace.calls.entries()) {
    if (!('output' in call.result)) continue;
    const expected = expectedOf(call.result.output);
    if (expected === undefined) continue;
    const input = typeof call.input === 'string' ? call.input : '(bytes)';
    entries.push(`      // call ${index}: ${comment(`${call.export} ${input}`)}\n      ${index}: ${literal(expected, '      ')},`);
  }
  const name = `${trace.plugin.id} ${trace.plugin.version}`;
  return `// A user's bug as a test, written by \`diaryx-plugin replay --emit-test\` from ${comment(basename(options.source))}:
// ${comment(name)}, ${trace.calls.length} calls recorded at ${comment(trace.recordedAt)}.
// It replays the recorded calls against the plugin, answering every host call from the trace.
// Each entry of \`expect\` is what a call answered when it was recorded: change the wrong one to
// what the plugin should answer, and this test fails until the plugin does.
import { readFileSync } from 'node:fs';
import { parseTrace, replayTrace } from '@diaryx/testing';
import '@diaryx/testing/vitest';
import { expect, it } from 'vitest';

const wasm = new URL(${JSON.stringify(specifier(options.testPath, options.wasmPath))}, import.meta.url);
const trace = parseTrace(readFileSync(new URL(${JSON.stringify(specifier(options.testPath, options.tracePath))}, import.meta.url), 'utf8'));

it(${literal(`replays the calls of ${name} recorded at ${trace.recordedAt}`, '')}, async () => {
  const replay = await replayTrace(wasm, trace, {
    expect: {
${entries.join('\n')}
    },
  });
  expect(replay).toMatchTrace();
});
`;
}

// Maps stack frames of a bundled TypeScript plugin (`src/index.ts (bundled):LINE:COL`, as
// @diaryx/js-runtime names them) back to the author's files with the bundle's source map
// (`plugin.wasm.map`, written by `diaryx-js build`).

/** The parts of a source map (version 3) the mapping needs. */
interface RawSourceMap {
  sources: string[];
  mappings: string;
  sourceRoot?: string;
}

/** One mapping: generated column → source, line, column (all 0-based). */
type Segment = [column: number, source: number, line: number, sourceColumn: number];

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decodeVlq(text: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of text) {
    const digit = BASE64.indexOf(char);
    if (digit === -1) continue;
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value & 1 ? -Math.floor(value / 2) : Math.floor(value / 2));
    value = 0;
    shift = 0;
  }
  return values;
}

/** The decoded mappings: per generated line, its segments ordered by column. */
function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = [];
  let source = 0;
  let line = 0;
  let column = 0;
  for (const text of mappings.split(';')) {
    const segments: Segment[] = [];
    let generated = 0;
    for (const part of text.split(',')) {
      if (part === '') continue;
      const v = decodeVlq(part);
      generated += v[0] ?? 0;
      if (v.length < 4) continue;
      source += v[1]!;
      line += v[2]!;
      column += v[3]!;
      segments.push([generated, source, line, column]);
    }
    lines.push(segments);
  }
  return lines;
}

/** A function rewriting `<file> (bundled):L[:C]` frames in a text to `source:line:col`. */
export function bundledFrameMapper(mapJson: string): (text: string) => string {
  const map = JSON.parse(mapJson) as RawSourceMap;
  const lines = decodeMappings(map.mappings);
  const root = map.sourceRoot ?? '';
  return (text) =>
    text.replace(/[^\s()]+ \(bundled\):(\d+)(?::(\d+))?/g, (frame, lineText: string, columnText: string | undefined) => {
      const segments = lines[Number(lineText) - 1];
      if (!segments || segments.length === 0) return frame;
      // QuickJS columns are 1-based; without a column, the line's first mapping.
      const column = columnText === undefined ? 0 : Number(columnText) - 1;
      let best = segments[0]!;
      for (const segment of segments) if (segment[0] <= column) best = segment;
      const source = map.sources[best[1]];
      if (source === undefined) return frame;
      return `${root}${source.replace(/^(\.\.\/)+/, '')}:${best[2] + 1}:${best[3] + 1}`;
    });
}

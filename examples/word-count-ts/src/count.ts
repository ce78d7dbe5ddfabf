/** Word, character (code point) and line counts of a text. */
export interface Counts {
  characters: number;
  lines: number;
  words: number;
}

const SPACE = /^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u;

/** Counts words (runs of non-whitespace, Unicode whitespace), code points and lines. */
export function countText(text: string): Counts {
  const counts: Counts = { characters: 0, lines: 0, words: 0 };
  let inWord = false;
  for (const ch of text) {
    counts.characters++;
    if (ch === '\n') counts.lines++;
    if (SPACE.test(ch)) inWord = false;
    else if (!inWord) {
      inWord = true;
      counts.words++;
    }
  }
  if (text.length > 0 && !text.endsWith('\n')) counts.lines++;
  return counts;
}

/** Adds `other` into `total`. */
export function addCounts(total: Counts, other: Counts): void {
  total.characters += other.characters;
  total.lines += other.lines;
  total.words += other.words;
}

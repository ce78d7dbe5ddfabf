/** Word, character (code point) and line counts of a text. */
export class Counts {
  words: i32 = 0;
  characters: i32 = 0;
  lines: i32 = 0;

  add(other: Counts): void {
    this.words += other.words;
    this.characters += other.characters;
    this.lines += other.lines;
  }

  toJson(): string {
    return '{"characters":' + this.characters.toString() + ',"lines":' + this.lines.toString() + ',"words":' + this.words.toString() + "}";
  }
}

function isSpace(c: i32): bool {
  return (
    (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 || c == 0xa0 || c == 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000
  );
}

/** Counts words (runs of non-whitespace, Unicode whitespace), code points and lines. */
export function countText(text: string): Counts {
  const counts = new Counts();
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    // A surrogate pair is one character.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    counts.characters++;
    if (c == 0x0a) counts.lines++;
    if (isSpace(c)) {
      inWord = false;
    } else if (!inWord) {
      inWord = true;
      counts.words++;
    }
  }
  if (text.length > 0 && text.charCodeAt(text.length - 1) != 0x0a) counts.lines++;
  return counts;
}

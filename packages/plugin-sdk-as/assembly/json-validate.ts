// A strict JSON syntax check: assemblyscript-json aborts (traps) on malformed input, so text is
// validated first and bad input becomes "not JSON" instead of a failed call.

const MAX_DEPTH = 256;

class Scanner {
  i: i32 = 0;
  constructor(public s: string) {}
  peek(): i32 {
    return this.i < this.s.length ? this.s.charCodeAt(this.i) : -1;
  }
  skipSpace(): void {
    while (this.i < this.s.length) {
      const c = this.s.charCodeAt(this.i);
      if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) break;
      this.i++;
    }
  }
}

function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}

function isHex(c: i32): bool {
  return isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

function literal(sc: Scanner, word: string): bool {
  if (sc.s.substr(sc.i, word.length) != word) return false;
  sc.i += word.length;
  return true;
}

function stringToken(sc: Scanner): bool {
  if (sc.peek() != 0x22) return false;
  sc.i++;
  while (sc.i < sc.s.length) {
    const c = sc.s.charCodeAt(sc.i++);
    if (c == 0x22) return true;
    if (c < 0x20) return false;
    if (c == 0x5c) {
      const e = sc.peek();
      sc.i++;
      if (e == 0x75) {
        for (let k = 0; k < 4; k++) if (!isHex(sc.s.charCodeAt(sc.i++))) return false;
      } else if (e != 0x22 && e != 0x5c && e != 0x2f && e != 0x62 && e != 0x66 && e != 0x6e && e != 0x72 && e != 0x74) {
        return false;
      }
    }
  }
  return false;
}

function numberToken(sc: Scanner): bool {
  if (sc.peek() == 0x2d) sc.i++;
  if (sc.peek() == 0x30) sc.i++;
  else if (isDigit(sc.peek())) while (isDigit(sc.peek())) sc.i++;
  else return false;
  if (sc.peek() == 0x2e) {
    sc.i++;
    if (!isDigit(sc.peek())) return false;
    while (isDigit(sc.peek())) sc.i++;
  }
  if (sc.peek() == 0x65 || sc.peek() == 0x45) {
    sc.i++;
    if (sc.peek() == 0x2b || sc.peek() == 0x2d) sc.i++;
    if (!isDigit(sc.peek())) return false;
    while (isDigit(sc.peek())) sc.i++;
  }
  return true;
}

function valueToken(sc: Scanner, depth: i32): bool {
  if (depth > MAX_DEPTH) return false;
  sc.skipSpace();
  const c = sc.peek();
  if (c == 0x22) return stringToken(sc);
  if (c == 0x74) return literal(sc, "true");
  if (c == 0x66) return literal(sc, "false");
  if (c == 0x6e) return literal(sc, "null");
  if (c == 0x2d || isDigit(c)) return numberToken(sc);
  if (c == 0x5b || c == 0x7b) {
    const object = c == 0x7b;
    const close = object ? 0x7d : 0x5d;
    sc.i++;
    sc.skipSpace();
    if (sc.peek() == close) {
      sc.i++;
      return true;
    }
    for (;;) {
      if (object) {
        sc.skipSpace();
        if (!stringToken(sc)) return false;
        sc.skipSpace();
        if (sc.peek() != 0x3a) return false;
        sc.i++;
      }
      if (!valueToken(sc, depth + 1)) return false;
      sc.skipSpace();
      const next = sc.peek();
      sc.i++;
      if (next == close) return true;
      if (next != 0x2c) return false;
    }
  }
  return false;
}

/** True when the text is exactly one well-formed JSON value (nesting up to 256 levels). */
export function isValidJson(text: string): bool {
  const sc = new Scanner(text);
  if (!valueToken(sc, 0)) return false;
  sc.skipSpace();
  return sc.i == text.length;
}

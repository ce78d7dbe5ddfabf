// Plugin-controlled text (manifest fields, logs, command output, error messages) printed raw could
// drive the terminal: clear the screen, set its title, move the cursor, or forge a "✓ compatible"
// line with a newline. Every such string goes through `terminalSafe` in text mode (JSON mode is
// safe: JSON.stringify escapes what a terminal would obey, and the reader is a program).

// C0 controls but tab (ESC included), DEL, C1 controls, and the bidirectional overrides and
// isolates that reorder what is shown (U+202A–U+202E, U+2066–U+2069), line and paragraph separators.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\u001b': '\\e' };

/**
 * The text with every character a terminal would act on shown as an escape instead (`\e`, `\n`,
 * `\x07`, `\u202e`), on one line. Anything else, emoji and accents included, is kept.
 */
export function terminalSafe(text: unknown): string {
  return String(text).replace(UNSAFE, (ch) => {
    const named = NAMED[ch];
    if (named !== undefined) return named;
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

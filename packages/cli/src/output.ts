/** Colours for a terminal; plain text when stdout is not a TTY or NO_COLOR is set. */
export function palette(stream: NodeJS.WriteStream = process.stdout) {
  const on = stream.isTTY === true && !process.env['NO_COLOR'];
  const wrap = (code: number) => (text: string) => (on ? `\u001b[${code}m${text}\u001b[0m` : text);
  return { green: wrap(32), red: wrap(31), yellow: wrap(33), dim: wrap(2), bold: wrap(1) };
}

/** The message of anything thrown (the text a guest sees after a host function's prefix). */
export function errorMessage(error: unknown): string {
  if (error instanceof TypeError && /fatal|decode|encoded data/i.test(error.message)) {
    return 'stream did not contain valid UTF-8';
  }
  return error instanceof Error ? error.message : String(error);
}

/** Something that can be closed (a loaded plugin). */
export interface Closable {
  close(): Promise<void>;
}

/**
 * Under Vitest, closes `plugin` when the current test finishes (its worker and file handles go
 * with it). Outside a test (in `beforeAll`, at a describe's top level) or outside Vitest it does
 * nothing: the caller closes the plugin.
 */
export async function closeAfterTest(plugin: Closable): Promise<void> {
  if (typeof process === 'undefined' || process.env['VITEST'] === undefined) return;
  let onTestFinished: ((fn: () => Promise<void>) => void) | undefined;
  try {
    ({ onTestFinished } = await import('vitest'));
  } catch {
    return;
  }
  try {
    onTestFinished(() => plugin.close());
  } catch {
    // Not inside a running test.
  }
}

/**
 * The largest gap between ticks of a 1 ms interval while `work` runs: how long the event loop was
 * held (by a plugin on the thread, or by anything else). Resolves with that and how `work` settled.
 */
export async function largestGapWhile<T>(work: () => Promise<T>): Promise<{ gap: number; settled: PromiseSettledResult<T> }> {
  let last = performance.now();
  let gap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    gap = Math.max(gap, now - last);
    last = now;
  }, 1);
  const [settled] = await Promise.allSettled([work()]);
  clearInterval(timer);
  return { gap: Math.max(gap, performance.now() - last), settled: settled! };
}

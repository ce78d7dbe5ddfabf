// The plugin's side of a failed test, as text: what a failing assertion does not say. A denied
// host call's advice, a failed export's error and the guest's log stay in host.calls and host.logs,
// where nobody looks when "expected [] to deeply equal [...]" fails; this puts them under the failure.
import type { FakeHost } from './fake-host.js';
import type { PluginCalls } from './tracked-plugin.js';

/** At most this many log lines (the last ones) and host calls per list. */
const MAX_LINES = 20;

const indent = (text: string, by: string) => text.split('\n').join(`\n${by}`);

function lastLines<T>(items: readonly T[], show: (item: T) => string, what: string): string[] {
  const skipped = items.length - MAX_LINES;
  return [...(skipped > 0 ? [`… ${skipped} earlier ${what}`] : []), ...items.slice(Math.max(0, skipped)).map(show)];
}

/**
 * What the plugins of a test did that explains a failure: calls that failed (the export and the
 * error), host calls that were denied (with the checker's advice) or trapped, calls still running
 * (a missing `await`), and the log (warnings and errors, the guest's own lines). Null when there
 * is nothing to add.
 */
export function describePluginSide(plugins: ReadonlyArray<{ calls: PluginCalls; host: FakeHost }>, running: ReadonlySet<object> = new Set()): string | null {
  const sections: string[] = [];
  const seenHosts = new Set<FakeHost>();
  for (const { calls, host } of plugins) {
    const id = calls.plugin.id;
    const lines: string[] = [];
    const failed = calls.calls.filter((c) => c.outcome !== null && !c.outcome.ok && !c.nested);
    if (failed.length > 0) {
      lines.push('failed calls:');
      lines.push(...lastLines(failed, (c) => `  ${c.what} → ${indent((c.outcome as { error: Error }).error.message, '    ')}`, 'failed calls'));
    }
    const stillRunning = calls.calls.filter((c) => !c.nested && (c.outcome === null || running.has(c)));
    if (stillRunning.length > 0) {
      lines.push('never awaited, or still running when the test ended (a missing `await` before the call?):');
      lines.push(...stillRunning.map((c) => `  ${c.what}`));
    }
    const refused = host.calls.filter((c) => c.pluginId === id && (c.outcome === 'denied' || c.outcome === 'trap'));
    if (refused.length > 0) {
      lines.push('host calls denied or trapped:');
      lines.push(...lastLines(refused, (c) => `  ${c.name} ${c.input} → ${c.outcome}: ${c.message ?? ''}`, 'host calls'));
    }
    if (!seenHosts.has(host)) {
      seenHosts.add(host);
      const logged = host.logs.filter((l) => l.level === 'error' || l.level === 'warn' || l.level === 'info');
      if (logged.length > 0) {
        lines.push('log (info and above):');
        lines.push(...lastLines(logged, (l) => `  ${l.level}: ${indent(l.message, '    ')}`, 'log lines'));
      }
    }
    if (lines.length > 0) sections.push(`plugin '${id}':\n  ${lines.join('\n  ')}`);
  }
  return sections.length === 0 ? null : `The plugin's side of this test (@diaryx/testing):\n${sections.join('\n')}`;
}

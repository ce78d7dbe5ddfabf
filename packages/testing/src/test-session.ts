// The Vitest side of `loadTestPlugin`: the plugins a test loaded, closed when it finishes; a test
// that ends while one of their calls still runs fails (a forgotten `await`), and a failed test
// gets the plugin's side of the story (see plugin-side.ts) added to its errors, where the
// reporter prints it next to the failed assertion.
import type { FakeHost } from './fake-host.js';
import { describePluginSide } from './plugin-side.js';
import type { PluginCalls, TrackedCall } from './tracked-plugin.js';

/** A plugin a test loaded. */
interface SessionPlugin {
  calls: PluginCalls;
  host: FakeHost;
  /** Close it when the test finishes. */
  autoClose: boolean;
}

interface Session {
  test: string;
  plugins: SessionPlugin[];
  /** The test's calls still running, or whose result it never read, when it finished (before the plugins were closed). */
  runningAtEnd: Set<TrackedCall>;
}

type Vitest = typeof import('vitest');
let vitest: Promise<Vitest | null> | undefined;
let loaded: Vitest | null = null;

function loadVitest(): Promise<Vitest | null> {
  if (typeof process === 'undefined' || process.env['VITEST'] === undefined) return Promise.resolve(null);
  return (vitest ??= import('vitest').then(
    (module) => (loaded = module),
    () => null,
  ));
}

let current: Session | null = null;

/** The name of the running test ("" outside one, or before a plugin was loaded under Vitest). */
export function currentTestName(): string {
  return loaded?.expect.getState().currentTestName ?? '';
}

/** A Vitest test's error as the reporter prints it (name and message; no stack to show). */
function reported(name: string, message: string): never {
  return { name, message, stack: '' } as never;
}

/**
 * Under Vitest, inside a test: remembers a plugin the test loaded, and (once per test) hooks the
 * test's end: calls still running fail the test, plugins with `autoClose` are closed, a failed
 * test gets the plugins' side. Outside a test or outside Vitest it does nothing (returns false).
 */
export async function joinTestSession(plugin: SessionPlugin): Promise<boolean> {
  const v = await loadVitest();
  if (v === null) return false;
  const test = v.expect.getState().currentTestName ?? '';
  if (current === null || current.test !== test) {
    const session: Session = { test, plugins: [], runningAtEnd: new Set() };
    try {
      v.onTestFailed(({ task }) => {
        const side = describePluginSide(session.plugins, session.runningAtEnd);
        if (side !== null) (task.result!.errors ??= []).push(reported('PluginSide', side));
      });
      v.onTestFinished(async ({ task }) => {
        if (current === session) current = null;
        for (const { calls } of session.plugins) {
          for (const call of calls.calls) if (!call.nested && (call.outcome === null || !call.observed)) session.runningAtEnd.add(call);
        }
        await Promise.all(session.plugins.filter((p) => p.autoClose).map((p) => p.calls.plugin.close().catch(() => undefined)));
        if (session.runningAtEnd.size > 0 && task.result?.state !== 'fail') {
          const list = [...session.runningAtEnd].map((c) => c.what).join(', ');
          throw new Error(
            `a plugin call's result was never awaited: ${list} (it may still have been running when the test ended). ` +
              'A missing `await` before the call? (@diaryx/testing)',
          );
        }
      });
    } catch {
      return false; // not inside a running test (beforeAll, a describe's body)
    }
    current = session;
  }
  current.plugins.push(plugin);
  return true;
}

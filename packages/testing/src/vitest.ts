import { expect } from 'vitest';
import type { FakeHost, FakeLogLine } from './fake-host.js';
import { describeReplay } from './replay/replay-report.js';
import type { ReplayResult } from './replay/replay-trace.js';

interface MatcherResult {
  pass: boolean;
  message: () => string;
}

/** The matchers `@diaryx/testing/vitest` adds to `expect`. */
export interface DiaryxMatchers<R = unknown> {
  /** The host saw an event whose `event_type` (or `type`) is `eventType`, with a payload matching `payload`. */
  toHaveEmitted(eventType: string, payload?: unknown): R;
  /** The plugin called host function `name`, with an input equal to `input` (JSON compared as values). */
  toHaveCalledHost(name: string, input?: unknown): R;
  /** The workspace has the file, with exactly `content` when given. */
  toHaveFile(path: string, content?: string): R;
  /** No host call was refused by a permission check (the failure names each denial and its advice). */
  toHaveNoDeniedCalls(): R;
  /**
   * Plugin storage has `key` (unscoped: any plugin's, or `<plugin id>:<key>`), with the value
   * `value` when given: text compared as text, anything else compared with the stored JSON.
   */
  toHaveStored(key: string, value?: unknown): R;
  /** A log line at `level` contains `text` (a string) or matches it (a RegExp). */
  toHaveLogged(level: FakeLogLine['level'], text: string | RegExp): R;
  /**
   * On the result of `replayTrace`: the plugin replayed its trace identically (every host call,
   * output and error as recorded, or as the replay's `expect` option says). The failure shows
   * the first divergence with both sides.
   */
  toMatchTrace(): R;
}

// Vitest's way to type custom matchers (3.2+): merge into `Matchers`, whose declaration is
// `interface Matchers<T = any>`; a merge must repeat its type parameters exactly, `any` included.
// (Merging into `Assertion`, as this file did, type-checks here but not in a plugin project: the
// matchers were untyped there, which nobody saw while the template's tests were not type-checked.)
declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends DiaryxMatchers<T> {}
  interface AsymmetricMatchersContaining extends DiaryxMatchers {}
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isReplayResult(value: unknown): value is ReplayResult {
  return value !== null && typeof value === 'object' && 'divergences' in value && 'trace' in value && 'calls' in value;
}

function isFakeHost(value: unknown): value is FakeHost {
  return value !== null && typeof value === 'object' && 'calls' in value && 'events' in value && 'files' in value;
}

expect.extend({
  toHaveEmitted(received: unknown, eventType: string, payload?: unknown): MatcherResult {
    if (!isFakeHost(received)) throw new TypeError('toHaveEmitted expects a FakeHost');
    const events = received.events.map((e) => e.json as Record<string, unknown> | null);
    const ofType = events.filter((e) => e !== null && typeof e === 'object' && (e['event_type'] === eventType || e['type'] === eventType));
    const pass = ofType.some((e) => payload === undefined || this.equals(e!['payload'] ?? e, payload));
    return {
      pass,
      message: () =>
        pass
          ? `expected no "${eventType}" event${payload === undefined ? '' : ' with that payload'}, but one was emitted`
          : ofType.length === 0
            ? `expected a "${eventType}" event; emitted were:\n${received.events.map((e) => `  ${e.text}`).join('\n') || '  (none)'}`
            : `expected a "${eventType}" event with the payload below; the closest differs:\n${this.utils.diff(payload, ofType[0]!['payload'] ?? ofType[0]) ?? ''}`,
    };
  },

  toHaveCalledHost(received: unknown, name: string, input?: unknown): MatcherResult {
    if (!isFakeHost(received)) throw new TypeError('toHaveCalledHost expects a FakeHost');
    const named = received.calls.filter((c) => c.name === name);
    const pass = named.some((c) => input === undefined || this.equals(parse(c.input), input));
    return {
      pass,
      message: () =>
        pass
          ? `expected ${name} not to be called${input === undefined ? '' : ' with that input'}`
          : named.length === 0
            ? `expected a call to ${name}; the plugin called: ${[...new Set(received.calls.map((c) => c.name))].join(', ') || '(nothing)'}`
            : `expected ${name} with the input below; the first call differs:\n${this.utils.diff(input, parse(named[0]!.input)) ?? ''}`,
    };
  },

  toHaveFile(received: unknown, path: string, content?: string): MatcherResult {
    if (!isFakeHost(received)) throw new TypeError('toHaveFile expects a FakeHost');
    const files = received.files();
    const actual = files[path.replace(/^\/+/, '')];
    const pass = actual !== undefined && (content === undefined || actual === content);
    return {
      pass,
      message: () =>
        pass
          ? `expected no file ${path}${content === undefined ? '' : ' with that content'}`
          : actual === undefined
            ? `expected the workspace to have ${path}; it has: ${Object.keys(files).sort().join(', ') || '(no files)'}`
            : `expected ${path} to have the content below:\n${this.utils.diff(content, actual) ?? ''}`,
    };
  },

  toHaveNoDeniedCalls(received: unknown): MatcherResult {
    if (!isFakeHost(received)) throw new TypeError('toHaveNoDeniedCalls expects a FakeHost');
    const denied = received.calls.filter((c) => c.outcome === 'denied');
    return {
      pass: denied.length === 0,
      message: () =>
        denied.length === 0
          ? 'expected a denied host call; none was denied'
          : `expected no denied host calls; denied were:\n${denied.map((c) => `  ${c.name}(${c.input}): ${c.message ?? 'denied'}`).join('\n')}`,
    };
  },

  toHaveStored(received: unknown, key: string, value?: unknown): MatcherResult {
    if (!isFakeHost(received)) throw new TypeError('toHaveStored expects a FakeHost');
    const entries = [...received.storage.values].filter(([k]) => k === key || k.endsWith(`:${key}`));
    const texts = entries.map(([, v]) => new TextDecoder().decode(v));
    const matches = (text: string) => (typeof value === 'string' ? text === value : this.equals(parse(text), value));
    const pass = entries.length > 0 && (value === undefined || texts.some(matches));
    return {
      pass,
      message: () =>
        pass
          ? `expected no stored ${key}${value === undefined ? '' : ' with that value'}`
          : entries.length === 0
            ? `expected plugin storage to have ${key}; it has: ${[...received.storage.values.keys()].sort().join(', ') || '(nothing)'}`
            : `expected ${key} to hold the value below:\n${this.utils.diff(value, typeof value === 'string' ? texts[0] : parse(texts[0]!)) ?? ''}`,
    };
  },

  toMatchTrace(received: unknown): MatcherResult {
    if (!isReplayResult(received)) throw new TypeError('toMatchTrace expects the result of replayTrace: expect(await replayTrace(wasm, trace)).toMatchTrace()');
    const pass = received.divergences.length === 0;
    return {
      pass,
      message: () => (pass ? `expected the replay to diverge from its trace, but ${describeReplay(received)}` : describeReplay(received)),
    };
  },

  toHaveLogged(received: unknown, level: FakeLogLine['level'], text: string | RegExp): MatcherResult {
    if (!isFakeHost(received)) throw new TypeError('toHaveLogged expects a FakeHost');
    const atLevel = received.logs.filter((l) => l.level === level);
    const pass = atLevel.some((l) => (typeof text === 'string' ? l.message.includes(text) : text.test(l.message)));
    return {
      pass,
      message: () =>
        pass
          ? `expected no ${level} log line matching ${String(text)}`
          : `expected a ${level} log line matching ${String(text)}; the log has:\n${received.logs.map((l) => `  ${l.level}: ${l.message}`).join('\n') || '  (nothing)'}`,
    };
  },
});

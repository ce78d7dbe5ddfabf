import { expect } from 'vitest';
import type { FakeHost } from './fake-host.js';

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
}

declare module 'vitest' {
  interface Assertion<T> extends DiaryxMatchers<T> {}
  interface AsymmetricMatchersContaining extends DiaryxMatchers {}
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
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
});

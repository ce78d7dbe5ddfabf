import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileWat, guestWat, hostileManifest } from '@diaryx/test-utils';
import { type Browser, chromium } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageReport } from '../page/report.js';

const CHROMIUM = '/usr/bin/chromium';
const INSTALL_CHROMIUM = "install Debian's package with `apt-get install -y chromium`";
// Without Chromium the browser tests are reported as one skipped test that says how to install it;
// .ci/run sets DIARYX_REQUIRE_BROWSER=1, which makes a missing browser a failure instead.
const runBrowserTests = existsSync(CHROMIUM) || process.env.DIARYX_REQUIRE_BROWSER === '1';
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

let server: PreviewServer;
let browser: Browser;
/** A plugin whose `spin` never ends and whose `answer` does, for the metered deadline. */
let spinWasm: Uint8Array;

beforeAll(async () => {
  if (!runBrowserTests) return;
  spinWasm = await compileWat(
    guestWat({
      manifest: hostileManifest('spin', { name: 'Spin', commands: ['crash', 'hang'] }),
      data: { answer: '{"success":true,"data":"still here"}' },
      exports: {
        spin: '(loop $l (br $l)) (i32.const 0)',
        answer: '(call $output_bytes (global.get $answer_ptr) (global.get $answer_len)) (i32.const 0)',
        // {"command":"crash","params":null} (33 bytes) traps; {"command":"hang",…} loops.
        handle_command: '(if (i64.eq (call $input_length) (i64.const 33)) (then unreachable)) (loop $l (br $l)) (i32.const 0)',
      },
    }),
  );
  if (!existsSync(join(packageDir, 'dist', 'index.html'))) {
    throw new Error(`the test page is not built: run \`pnpm --filter @diaryx/browser-e2e build\` (or \`npm test\` at the root)`);
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: ${INSTALL_CHROMIUM} (.ci/run does)`);
  }
  server = await preview({ configFile: join(packageDir, 'vite.config.ts'), preview: { port: 0 } });
  // Playwright gives the browser a fresh, temporary profile.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      // This machine's network is closed: without these Chromium keeps dialling out.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens the page, waits for it to finish, and returns what it reports (page errors included). */
async function openPage(query = ''): Promise<PageReport> {
  const page = await browser.newPage();
  await page.addInitScript((base64) => {
    (globalThis as { __DIARYX_SPIN_WASM__?: string }).__DIARYX_SPIN_WASM__ = base64;
  }, Buffer.from(spinWasm).toString('base64'));
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  try {
    await page.goto(`${server.resolvedUrls!.local[0]}${query}`);
    await page.locator('#status', { hasText: 'done' }).waitFor({ timeout: 30_000 }).catch(() => {
      throw new Error(`the page did not finish: ${problems.join('; ') || 'no error reported'}`);
    });
    expect(problems).toEqual([]);
    return JSON.parse(await page.locator('#result').innerText()) as PageReport;
  } finally {
    await page.close();
  }
}

const expectedRun = {
  ok: true,
  pluginId: 'diaryx.example.word-count',
  command: { success: true, data: { path: 'notes/today.md', counts: { words: 7 } } },
  events: [
    {
      pluginId: 'diaryx.example.word-count',
      event: { event_type: 'word_count_updated', payload: { path: 'notes/other.md', words: 2 } },
    },
  ],
};

if (!runBrowserTests) it.skip(`the browser tests: no Chromium at ${CHROMIUM}; ${INSTALL_CHROMIUM} to run them`, () => {});

if (runBrowserTests) describe('@diaryx/loader in headless Chromium (the browser entry, an in-memory host)', () => {
  it('a cross-origin isolated page runs word-count in-process and in a worker: command result and recorded event', async () => {
    const report = await openPage();
    expect(report.crossOriginIsolated).toBe(true);
    expect(report.inProcess).toMatchObject(expectedRun);
    expect(report.worker).toMatchObject(expectedRun);
    expect(report.metered).toMatchObject(expectedRun);
  });

  it('without COOP/COEP, in-process, metered and the default mode (auto: metered) work, a metered deadline stops an endless call, worker mode fails with the headers to add', async () => {
    const report = await openPage('?isolation=off');
    expect(report.crossOriginIsolated).toBe(false);
    expect(report.inProcess).toMatchObject(expectedRun);
    expect(report.metered).toMatchObject(expectedRun);
    // The default ('auto') needs no headers where the browser has JSPI (Chromium 137+): metered.
    expect(report.defaultMode).toMatchObject({ ...expectedRun, mode: 'metered' });
    expect(report.meteredDeadline).toMatchObject({ ok: true, kind: 'timeout', next: expect.stringContaining('still here') });
    if (report.meteredDeadline.ok) {
      expect(report.meteredDeadline.ms).toBeGreaterThanOrEqual(report.meteredDeadline.deadlineMs - 5);
      expect(report.meteredDeadline.ms).toBeLessThan(report.meteredDeadline.deadlineMs + 1_000);
      // Issue 25: the plugin yields the page's thread every slice (5 ms), so timers keep firing.
      expect(report.meteredDeadline.maxGapMs).toBeLessThan(300);
      // A signal stops an endless call long before its 10 s deadline.
      expect(report.meteredDeadline).toMatchObject({ abortedKind: 'aborted' });
      expect(report.meteredDeadline.abortedMs).toBeLessThan(1_000);
    }
    expect(report.worker).toMatchObject({
      ok: false,
      error: {
        name: 'PluginLoadError',
        kind: 'plugin_create',
        message: expect.stringContaining('Cross-Origin-Embedder-Policy: require-corp'),
      },
    });
  });

  it.each([
    ['a cross-origin isolated page', ''],
    ['a page without COOP/COEP', '?isolation=off'],
  ])('%s runs the web page of docs/hosting.md on createPluginHost: an event to each plugin, a command, a crash and a timeout as lifecycle events, the shutdown in reverse order', async (_name, query) => {
    const { webHost } = await openPage(query);
    expect(webHost).toMatchObject({
      ok: true,
      // The default mode: metered on the page's thread (Chromium has JSPI).
      loaded: ['diaryx.example.word-count loaded metered', 'spin loaded metered'],
      broadcast: { 'diaryx.example.word-count': 'ok', spin: 'ok' },
      count: { path: 'notes/today.md', counts: { words: 3 } },
      crash: 'trap: The plugin "Spin" crashed while handling this request.',
      hang: 'timeout: The plugin "Spin" took longer than 1 s and was stopped.',
      asked: [],
      notified: ['The plugin "Spin" crashed while handling this request.', 'The plugin "Spin" took longer than 1 s and was stopped.'],
      emitted: ['diaryx.example.word-count {"event_type":"word_count_updated","payload":{"path":"notes/today.md","words":3}}'],
      lifecycle: ['crashed spin', 'timeout spin', 'unloaded spin', 'unloaded diaryx.example.word-count', 'closed'],
    });
  });
});

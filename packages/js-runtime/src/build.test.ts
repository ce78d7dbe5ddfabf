import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPlugin, PluginBuildError } from './build.js';
import { RUNTIME_WASM_PATH } from './runtime-files.js';

const fixture = (name: string) => fileURLToPath(new URL(`../test/fixtures/${name}.ts`, import.meta.url));
const temps: string[] = [];
afterAll(() => Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true }))));

describe('diaryx-js build', () => {
  it('exports exactly the entry’s functions (and memory, and __diaryx_where, which says where a stopped call was), like a native plugin', async () => {
    const built = await buildPlugin({ entry: fixture('semantics') });
    const module = await WebAssembly.compile(built.wasm as Uint8Array<ArrayBuffer>);
    const exports = WebAssembly.Module.exports(module).map((e) => `${e.kind}:${e.name}`).sort();
    expect(exports).toEqual(
      ['awaited', 'echo_bytes', 'handle_command', 'manifest', 'never_settles', 'rejected', '__diaryx_where'].map((n) => `function:${n}`).concat('memory:memory').sort(),
    );
    const imports = new Set(WebAssembly.Module.imports(module).map((i) => i.module));
    expect(imports).toEqual(new Set(['extism:host/env', 'extism:host/user', 'wasi_snapshot_preview1']));
  });

  it('builds the same bytes twice from the same source', async () => {
    const first = await buildPlugin({ entry: fixture('semantics') });
    const second = await buildPlugin({ entry: fixture('semantics') });
    expect(Buffer.from(second.wasm).equals(Buffer.from(first.wasm))).toBe(true);
  });

  it('writes outFile', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'diaryx-js-'));
    temps.push(dir);
    const out = join(dir, 'nested', 'plugin.wasm');
    const built = await buildPlugin({ entry: fixture('semantics'), outFile: out });
    expect(new Uint8Array(await readFile(out))).toEqual(built.wasm);
  });

  it('fails on a host function the host does not have, naming the file and line', async () => {
    const error = await buildPlugin({ entry: fixture('unknown-host-function') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluginBuildError);
    expect((error as Error).message).toMatch(/unknown-host-function\.ts:1:\d+: No matching export .* "host_teleport"/);
  });

  it('fails on a type error with the compiler message (esbuild alone would bundle it)', async () => {
    const error = await buildPlugin({ entry: fixture('type-error') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluginBuildError);
    expect((error as Error).message).toMatch(/type-error\.ts: the type check failed:\n.*type-error\.ts\(9,9\): error TS2322: Type 'string' is not assignable to type 'number'/);
    await expect(buildPlugin({ entry: fixture('type-error'), typeCheck: false })).resolves.toMatchObject({ warnings: [] });
  });

  it('warns about Config.get, Http, fetch and setTimeout, naming the API and the alternative', async () => {
    const built = await buildPlugin({ entry: fixture('dead-apis') });
    expect(built.warnings).toEqual([
      expect.stringMatching(/dead-apis\.ts:9:15: warning: `Config\.get` always returns null .*config\(\) or configValue\(\)/),
      expect.stringMatching(/dead-apis\.ts:10:21: warning: `setTimeout` does not exist .*no event loop/),
      expect.stringMatching(/dead-apis\.ts:11:8: warning: `fetch` does not exist .*httpRequest\(\) or hostHttpRequest\(\)/),
      expect.stringMatching(/dead-apis\.ts:12:13: warning: `Http\.request` fails .*hostHttpRequest\(\)/),
    ]);
    expect((await buildPlugin({ entry: fixture('no-manifest') }).catch(() => null))).toBeNull();
  });

  it('a ui element the loader would drop is a type error, and (without the type check) fails the build naming the element and the field', async () => {
    const typed = (await buildPlugin({ entry: fixture('bad-ui') }).catch((e: unknown) => e)) as Error;
    expect(typed).toBeInstanceOf(PluginBuildError);
    expect(typed.message).toMatch(/bad-ui\.ts: the type check failed:\n.*bad-ui\.ts\(\d+,\d+\): error TS2322/);
    const checked = (await buildPlugin({ entry: fixture('bad-ui'), typeCheck: false }).catch((e: unknown) => e)) as Error;
    expect(checked).toBeInstanceOf(PluginBuildError);
    expect(checked.message).toContain(
      "bad-ui.ts: the manifest's ui[0] (SettingsTab 'sync'): field fields[0].type: unknown variant `TextInput`, expected one of `Text`, `Password`",
    );
    expect(checked.message).toContain('Diaryx 1.4.1 drops this element');
  });

  it('a slot Diaryx 1.4.1 does not know is a warning naming the slot; the build succeeds', async () => {
    const built = await buildPlugin({ entry: fixture('new-slot') });
    expect(built.warnings).toEqual([expect.stringMatching(/new-slot\.ts: warning: the manifest's ui\[0\] \(ToolbarButton 'bold'\): the slot `ToolbarButton` is not known to Diaryx 1\.4\.1, which drops the element/)]);
  });

  it('fails when the loader cannot read the built manifest, with the loader\'s reason', async () => {
    await expect(buildPlugin({ entry: fixture('unreadable-manifest'), typeCheck: false })).rejects.toThrow(
      /unreadable-manifest\.ts: the loader cannot read the manifest: Failed to parse manifest from plugin 'plugin': .*missing field `capabilities`/,
    );
  });

  it('fails on a syntax error with the file and line', async () => {
    await expect(buildPlugin({ entry: fixture('syntax-error') })).rejects.toThrow(/syntax-error\.ts:5:\d+: Unexpected ";"/);
  });

  it('fails when manifest is not exported, listing what is', async () => {
    await expect(buildPlugin({ entry: fixture('no-manifest') })).rejects.toThrow(
      /no-manifest\.ts does not export `manifest` \(every Diaryx plugin must; it exports: handle_command\)/,
    );
  });

  it('fails when top-level code calls the host, which does not exist at build time, naming the API called', async () => {
    await expect(buildPlugin({ entry: fixture('top-level-host-call') })).rejects.toThrow(
      /top-level-host-call\.ts: the plugin's top-level code failed at build time: .*top-level-host-call\.ts \(bundled\): Error: Host\.inputString was called while the plugin's top-level code ran at build time \(there is no host then\): call Host, Memory, Var, Config, Http and host functions inside an exported function or a handler/,
    );
  });

  it('a host function called by top-level code names the SDK wrapper, not the Extism function underneath ("alloc")', async () => {
    const error = (await buildPlugin({ entry: fixture('top-level-read-file') }).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/Memory\.fromString \(a host function input, as readFile, storageGet and the other SDK wrappers make\) was called while the plugin's top-level code ran at build time/);
    expect(error.message).toMatch(/at readFile \(/);
    expect(error.message).not.toMatch(/\balloc was called/);
  });

  it('fails when top-level code throws, with the JavaScript error', async () => {
    await expect(buildPlugin({ entry: fixture('top-level-throw') })).rejects.toThrow(
      /top-level-throw\.ts: the plugin's top-level code failed at build time: .*SyntaxError/,
    );
  });
});

// Compiling QuickJS takes minutes on two cores; .ci/run compiles it again on one of its Node
// versions (DIARYX_RUNTIME_REPRODUCIBILITY=0 on the others), a plain `npm test` always does.
const checkReproducible = process.env['DIARYX_RUNTIME_REPRODUCIBILITY'] !== '0';

describe('runtime.wasm', () => {
  it.runIf(checkReproducible)('is reproducible: compiling it again from source (not from the runtime cache) gives the same bytes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'diaryx-runtime-'));
    temps.push(dir);
    const again = join(dir, 'runtime.wasm');
    execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build-runtime.mjs', import.meta.url)), '--out', again, '--no-cache'], { stdio: 'pipe' });
    const hash = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex');
    expect(await hash(again)).toBe(await hash(RUNTIME_WASM_PATH));
  }, 600_000);

  it.skipIf(checkReproducible)('is reproducible: skipped on this run (DIARYX_RUNTIME_REPRODUCIBILITY=0; .ci/run checks it on one Node version)', () => {});

  it('stays within 600 KB', async () => {
    expect((await readFile(RUNTIME_WASM_PATH)).length).toBeLessThanOrEqual(600 * 1024);
  });
});

import { execFileSync } from 'node:child_process';
import { copyFileSync, type Dirent, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_FILES } from './app-project/files.js';
import { type LocalRegistry, startLocalRegistry } from './local-registry.js';
import { type NpmUser, npmUser, type UserCommandResult } from './npm-user.js';
import { npmrcFor, type ReleasedPackage, releasedPackages, runReleaseTool, throwawayCopy, workspacePackageFolders, writeFile } from './rehearse-release.js';
import { tarballProblems } from './tarball-allow-list.js';
import { publishInstalled, thirdPartyClosure } from './third-party-packages.js';

// The release rehearsal (issue 18): `changeset version` on a throwaway copy of the workspace,
// `pnpm publish --recursive` of every public package to a local verdaccio with no uplink, then the kit is
// installed and used in empty folders exactly as its users do. Third-party packages the users
// install (vitest, typescript, esbuild, assemblyscript, vite, …) are published to the same
// registry first, at the versions of the workspace's lockfile, packed from the workspace's own
// node_modules: the registry holds nothing else, so the rehearsal needs no network and a package
// of the kit can only come from this release.
const ENABLED = process.env['DIARYX_RELEASE_REHEARSAL'] === '1';
const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..');
const thisPackage = join(here, '..');

/** Tools users install next to the kit; the rest comes from the public packages' own dependencies. */
const USER_TOOLS = ['vitest', 'typescript', '@types/node', 'vite', '@extism/js-pdk'] as const;

/**
 * Are the Types Wrong, per package: extra arguments, or `null` when it does not apply. Each
 * exception is explained in that package's README (the test checks that it says so).
 */
const ATTW_EXCEPTIONS: Readonly<Record<string, readonly string[] | null>> = {
  // `./runtime.wasm` is a binary asset, not a module TypeScript resolves.
  '@diaryx/js-runtime': ['--exclude-entrypoints', './runtime.wasm'],
  // AssemblyScript source for `asc`, not a package TypeScript or Node import.
  '@diaryx/plugin-sdk-as': null,
};

if (!ENABLED) {
  it.skip('release rehearsal against a local registry: run it with DIARYX_RELEASE_REHEARSAL=1 (Node 22 or later, the workspace built)', () => {});
} else {
  describe('release rehearsal: changeset version, publish to a local registry, install as users do', () => {
    let work = '';
    let registry: LocalRegistry | undefined;
    let released: ReleasedPackage[] = [];
    let user: NpmUser;
    /** name → the tarball downloaded from the registry, and the folder it was unpacked into. */
    const tarballs = new Map<string, { file: string; unpacked: string }>();

    function ok(result: UserCommandResult): UserCommandResult {
      expect(result.status, result.transcript).toBe(0);
      return result;
    }

    function installedVersion(name: string): string {
      return (JSON.parse(readFileSync(join(thisPackage, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    }

    beforeAll(async () => {
      const [major] = process.versions.node.split('.').map(Number);
      if ((major ?? 0) < 22) throw new Error(`the release rehearsal runs verdaccio 6.10, which needs Node 22 or later (this is ${process.version})`);
      work = mkdtempSync(join(tmpdir(), 'diaryx-release-'));
      const started = performance.now();
      const timings: string[] = [];
      const lap = (what: string) => {
        timings.push(`${what} ${((performance.now() - started) / 1000).toFixed(1)} s`);
        console.info(`release rehearsal: ${timings.at(-1)}`);
      };
      registry = await startLocalRegistry(join(work, 'registry'));
      lap('registry up');

      const publicFolders = workspacePackageFolders(repo).filter((folder) => !JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')).private);
      const roots: Array<[string, string]> = USER_TOOLS.map((name) => [thisPackage, name]);
      for (const folder of publicFolders) {
        const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
        for (const [name, spec] of Object.entries({ ...manifest.dependencies, ...manifest.peerDependencies })) {
          if (!spec.startsWith('workspace:') && name !== 'vitest') roots.push([folder, name]);
        }
      }
      const thirdParty = thirdPartyClosure(roots);
      await publishInstalled(thirdParty, registry.url, registry.token, join(work, 'third-party'));
      lap(`${thirdParty.length} third-party packages published`);

      const copy = throwawayCopy(repo, join(work, 'release'));
      writeFile(join(copy, '.npmrc'), npmrcFor(registry.url, registry.token));
      const env = { ...withoutNpmVariables(process.env), npm_config_userconfig: join(copy, '.npmrc'), npm_config_registry: registry.url, CI: 'true' };
      runReleaseTool(repo, copy, 'changeset', ['version'], env);
      lap('changeset version');
      // What the README's Releasing section runs, in one process (`changeset publish` would start
      // npm and pnpm twice per package for the same result); --no-git-checks: the copy is no git checkout.
      runReleaseTool(repo, copy, 'pnpm', ['publish', '--recursive', '--access', 'public', '--no-git-checks'], env);
      lap('pnpm publish --recursive');
      released = releasedPackages(copy).filter((pkg) => !pkg.private);

      for (const pkg of released) {
        const packument = (await (await fetch(new URL(pkg.name.replace('/', '%2f'), registry.url))).json()) as { versions: Record<string, { dist: { tarball: string } }> };
        const tarballUrl = packument.versions[pkg.version]?.dist.tarball;
        if (!tarballUrl) throw new Error(`${pkg.name}@${pkg.version} was not published: ${JSON.stringify(packument).slice(0, 500)}`);
        const file = join(work, 'tarballs', `${pkg.name.replace('/', '__')}.tgz`);
        const unpacked = join(work, 'unpacked', pkg.name.replace('/', '__'));
        mkdirSync(unpacked, { recursive: true });
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, Buffer.from(await (await fetch(tarballUrl)).arrayBuffer()));
        execFileSync('tar', ['-xzf', file, '-C', unpacked]);
        tarballs.set(pkg.name, { file, unpacked: join(unpacked, 'package') });
      }
      user = npmUser(join(work, 'user'), registry.url);
      lap('tarballs downloaded');
    }, 600_000);

    afterAll(async () => {
      await registry?.stop();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it('changeset version gives the fixed group one version and each package a CHANGELOG.md; the registry serves it as latest', async () => {
      const config = JSON.parse(readFileSync(join(repo, '.changeset', 'config.json'), 'utf8')) as { fixed: string[][] };
      for (const group of config.fixed) {
        const versions = group.map((name) => released.find((pkg) => pkg.name === name)?.version);
        expect(new Set(versions).size, `${group.join(', ')}: ${versions.join(', ')}`).toBe(1);
      }
      expect(released.map((pkg) => pkg.name).sort()).toEqual([...new Set(config.fixed.flat())].sort());
      for (const pkg of released) {
        expect(readFileSync(join(pkg.folder, 'CHANGELOG.md'), 'utf8')).toContain(`## ${pkg.version}`);
        const packument = (await (await fetch(new URL(pkg.name.replace('/', '%2f'), registry!.url))).json()) as { 'dist-tags': { latest: string } };
        expect(packument['dist-tags'].latest, pkg.name).toBe(pkg.version);
      }
    });

    it('every tarball ships what its package.json points at (runtime.wasm included), its README and CHANGELOG, and no workspace: or catalog: specifier', () => {
      for (const pkg of released) {
        const { unpacked } = tarballs.get(pkg.name)!;
        const manifest = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8')) as Record<string, unknown>;
        const targets = [...exportTargets(manifest['exports']), ...Object.values((manifest['bin'] as Record<string, string> | undefined) ?? {})];
        if (typeof manifest['main'] === 'string') targets.push(manifest['main']);
        for (const target of targets) expect(existsSync(join(unpacked, target)), `${pkg.name}: ${target} is in package.json but not in the tarball`).toBe(true);
        for (const file of ['README.md', 'CHANGELOG.md', 'package.json']) expect(existsSync(join(unpacked, file)), `${pkg.name}: ${file}`).toBe(true);
        for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
          for (const [name, spec] of Object.entries((manifest[field] as Record<string, string> | undefined) ?? {})) {
            expect(spec, `${pkg.name} ${field}.${name}`).not.toMatch(/^(workspace|catalog):/);
            if (name.startsWith('@diaryx/') || name === 'create-diaryx-plugin') expect(spec, `${pkg.name} ${field}.${name}`).toBe(`^${pkg.version}`);
          }
        }
        // The `@diaryx/source` condition points at the shipped TypeScript sources (kept for the
        // declaration and source maps): each of their relative imports must be shipped too.
        for (const missing of unresolvedSourceImports(unpacked)) expect.fail(`${pkg.name}: ${missing}`);
      }
      expect(existsSync(join(tarballs.get('@diaryx/js-runtime')!.unpacked, 'dist', 'runtime.wasm'))).toBe(true);
    });

    it('every tarball holds only what its allow-list names (no test support, no tests), with its LICENSE', () => {
      for (const pkg of released) {
        const { unpacked } = tarballs.get(pkg.name)!;
        const files = (readdirSync(unpacked, { recursive: true, withFileTypes: true }) as Dirent[])
          .filter((entry) => entry.isFile())
          .map((entry) => posix.join(relative(unpacked, entry.parentPath).split(sep).join('/'), entry.name));
        expect(tarballProblems(pkg.name, files), pkg.name).toEqual([]);
      }
    });

    it('publint --strict reports nothing for any tarball', async () => {
      for (const pkg of released) {
        const bytes = readFileSync(tarballs.get(pkg.name)!.file);
        const result = await publint({ pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer }, strict: true });
        expect(result.messages.map((message) => formatMessage(message, result.pkg)), pkg.name).toEqual([]);
      }
    });

    it('Are the Types Wrong (esm-only profile) reports nothing for any tarball; each exception is explained in its README', () => {
      const attw = join(thisPackage, 'node_modules', '.bin', 'attw');
      for (const pkg of released) {
        const exception = ATTW_EXCEPTIONS[pkg.name];
        if (exception !== undefined) expect(readFileSync(join(pkg.folder, 'README.md'), 'utf8'), `${pkg.name} README`).toContain('Are the Types Wrong');
        if (exception === null) continue;
        const result = user.run(work, attw, [tarballs.get(pkg.name)!.file, '--profile', 'esm-only', '--format', 'ascii', '--no-emoji', '--no-color', ...(exception ?? [])]);
        expect(result.status, `${pkg.name}:\n${result.stdout}${result.stderr}`).toBe(0);
      }
    });

    /**
     * `npm create diaryx-plugin@latest <folder> -- --yes …` in an empty folder, then the printed
     * steps; `npm test` also writes Vitest's JSON report, whose passed tests are returned by name.
     */
    function createAndBuild(folder: string, extraArgs: string[]): { project: string; passed: string[] } {
      const cwd = user.emptyFolder(folder);
      const created = ok(user.run(cwd, 'npm', ['create', 'diaryx-plugin@latest', folder, '--', '--yes', ...extraArgs]));
      expect(created.stdout).toContain(`Next:\n  cd ${folder}\n  npm install\n  npm run build\n  npm test`);
      const project = join(cwd, folder);
      ok(user.run(project, 'npm', ['install']));
      ok(user.run(project, 'npm', ['run', 'build']));
      const tested = ok(user.run(project, 'npm', ['test', '--', '--reporter=default', '--reporter=json', '--outputFile.json=vitest-report.json']));
      expect(existsSync(join(project, 'plugin.wasm'))).toBe(true);
      const report = JSON.parse(readFileSync(join(project, 'vitest-report.json'), 'utf8')) as VitestReport;
      const results = report.testResults.flatMap((file) => file.assertionResults);
      expect(results.filter((result) => result.status !== 'passed').map((result) => `${result.fullName}: ${result.status}`), tested.transcript).toEqual([]);
      return { project, passed: results.map((result) => result.fullName) };
    }

    /** The generated tests that show the test loop (issue 16), by name: each must have run and passed. */
    function expectTestLoopTests(passed: string[], name: string, source: string): void {
      expect(passed).toEqual(
        expect.arrayContaining([
          `${name} a thrown error points at its line in ${source}`,
          'what a test shows when a plugin goes wrong an endless loop fails fast, naming the export and the deadline',
          "what a test shows when a plugin goes wrong a forgotten permission is denied as in the app, with the advice to add it to requested_permissions",
          'npm run build:watch rebuilds the plugin after an edit, reports a broken edit and keeps the last good build',
        ]),
      );
    }

    /** `diaryx-plugin check` from @diaryx/cli as published. */
    function conformanceCheck(project: string): void {
      const checked = ok(user.run(project, 'npx', ['-p', '@diaryx/cli', 'diaryx-plugin', 'check', 'plugin.wasm']));
      expect(checked.stdout).toMatch(/^PASS \d+ passed, 0 failed/m);
    }

    it('npm create diaryx-plugin@latest my-plugin -- --yes (ts): install, build, test, type-check and check pass', () => {
      const version = released.find((pkg) => pkg.name === 'create-diaryx-plugin')!.version;
      const { project, passed } = createAndBuild('my-plugin', []);
      const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { devDependencies: Record<string, string>; overrides?: unknown };
      expect(manifest.devDependencies['@diaryx/js-runtime']).toBe(`^${version}`);
      expect(manifest.overrides).toBeUndefined();
      expect(passed).toHaveLength(9);
      expectTestLoopTests(passed, 'My Plugin', 'src/index.ts');
      ok(user.run(project, 'npm', ['run', 'typecheck']));
      conformanceCheck(project);
    }, 300_000);

    it('the assemblyscript template: install, build, test and check pass', () => {
      const { project, passed } = createAndBuild('as-plugin', ['--template', 'assemblyscript']);
      expect(passed).toHaveLength(9);
      expectTestLoopTests(passed, 'As Plugin', 'assembly/index.ts');
      conformanceCheck(project);
    }, 300_000);

    it('the js template: installs and type-checks against @extism/js-pdk; the build stops and says how to get extism-js', () => {
      const cwd = user.emptyFolder('js-plugin');
      ok(user.run(cwd, 'npm', ['create', 'diaryx-plugin@latest', 'js-plugin', '--', '--yes', '--template', 'js']));
      const project = join(cwd, 'js-plugin');
      ok(user.run(project, 'npm', ['install']));
      ok(user.run(project, 'npm', ['run', 'typecheck']));
      const build = user.run(project, 'npm', ['run', 'build']);
      expect(build.status, build.transcript).not.toBe(0);
      expect(build.stderr).toContain('extism-js was not found, so plugin.wasm was not built');
      expect(existsSync(join(project, 'plugin.wasm'))).toBe(false);
      expect(readFileSync(join(project, 'dist', 'index.js'), 'utf8')).toContain('handle_command');
    }, 300_000);

    describe('an app: npm i @diaryx/loader @diaryx/host-fns', () => {
      let app = '';
      beforeAll(() => {
        app = user.emptyFolder('app');
        writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'diaryx-app', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`);
        for (const [path, text] of Object.entries(APP_FILES)) writeFile(join(app, path), text);
        const wasm = join(repo, 'examples', 'word-count', 'build', 'plugin.wasm');
        mkdirSync(join(app, 'plugins', 'diaryx.example.word-count'), { recursive: true });
        copyFileSync(wasm, join(app, 'plugins', 'diaryx.example.word-count', 'plugin.wasm'));
        copyFileSync(wasm, join(app, 'public-plugin.wasm'));
        writeFile(join(app, 'workspace', 'notes', 'today.md'), 'one two three four five');
        ok(user.run(app, 'npm', ['install', '@diaryx/loader', '@diaryx/host-fns']));
        const tools = ['typescript', '@types/node', 'vite'].map((name) => `${name}@${installedVersion(name)}`);
        ok(user.run(app, 'npm', ['install', '--save-dev', ...tools]));
      }, 300_000);

      it('type-checks with moduleResolution node16 and bundler, and runs with Node on a plugins folder', () => {
        ok(user.run(app, 'npx', ['tsc', '-p', 'tsconfig.bundler.json']));
        ok(user.run(app, 'npx', ['tsc', '-p', 'tsconfig.node16.json']));
        const ran = ok(user.run(app, process.execPath, ['dist-node/node-main.js', 'plugins', 'workspace']));
        const results = JSON.parse(ran.stdout.trim().split('\n').pop()!) as Record<string, { data?: { counts?: { words: number } } }> & { failures: string[] };
        expect(results.failures).toEqual([]);
        expect(results['diaryx.example.word-count']?.data?.counts?.words).toBe(5);
        expect(results['in-memory']?.data?.counts?.words).toBe(4);
      });

      it('bundles the same app module for the browser with Vite, without errors or Node built-ins', () => {
        mkdirSync(join(app, 'public'), { recursive: true });
        copyFileSync(join(app, 'public-plugin.wasm'), join(app, 'public', 'plugin.wasm'));
        const built = ok(user.run(app, 'npx', ['vite', 'build']));
        expect(built.stdout + built.stderr).not.toMatch(/externalized for browser compatibility|error/i);
        const assets = readdirSync(join(app, 'dist-browser', 'assets'));
        const bundle = assets.filter((file) => file.endsWith('.js')).map((file) => readFileSync(join(app, 'dist-browser', 'assets', file), 'utf8')).join('\n');
        expect(bundle).toContain('word-count');
        expect(bundle).not.toMatch(/from\s*["']node:/);
      });
    });
  });
}

/** The part of Vitest's JSON report the rehearsal reads. */
interface VitestReport {
  testResults: Array<{ assertionResults: Array<{ fullName: string; status: string }> }>;
}

/** Every file path an `exports` map points at (any condition, any depth). */
function exportTargets(exportsField: unknown): string[] {
  if (typeof exportsField === 'string') return exportsField.startsWith('./') ? [exportsField] : [];
  if (exportsField && typeof exportsField === 'object') return Object.values(exportsField).flatMap(exportTargets);
  return [];
}

/** Relative imports of the shipped `src/**.ts` files that point at a file that was not shipped. */
function unresolvedSourceImports(packageFolder: string): string[] {
  const src = join(packageFolder, 'src');
  if (!existsSync(src)) return [];
  const problems: string[] = [];
  for (const file of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts') || file.endsWith('.d.ts')) continue;
    const text = readFileSync(join(src, file), 'utf8');
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = posix.join(posix.dirname(file.split('\\').join('/')), match[1]!);
      const candidates = [target, target.replace(/\.js$/, '.ts'), target.replace(/\.mjs$/, '.mts')];
      if (!candidates.some((candidate) => existsSync(join(src, candidate)))) problems.push(`src/${file} imports ${match[1]}, which is not in the tarball`);
    }
  }
  return problems;
}

function withoutNpmVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !/^npm_/i.test(key)));
}

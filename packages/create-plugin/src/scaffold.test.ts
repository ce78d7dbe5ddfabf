import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { idFromName, type PluginAnswers, titleFromFolder } from './answers.js';
import { localKitPackages, publishedKitPackages } from './package-specs.js';
import { scaffold, ScaffoldError } from './scaffold.js';

const answers = (directory: string, extra: Partial<PluginAnswers> = {}): PluginAnswers => ({
  directory,
  name: 'My Plugin',
  id: 'com.example.my-plugin',
  description: 'Does things',
  template: 'assemblyscript',
  permissions: ['read_files', 'plugin_storage'],
  ...extra,
});
const kit = publishedKitPackages('0.1.0');
const temp = () => mkdtempSync(join(tmpdir(), 'diaryx-scaffold-'));

describe('scaffold', () => {
  it('writes the assemblyscript template with published versions, requested permissions and their reasons', () => {
    const dir = join(temp(), 'my-plugin');
    const result = scaffold(answers(dir), kit);
    expect(result.files.sort()).toEqual([
      '.gitignore',
      'README.md',
      'assembly/index.ts',
      'package.json',
      'test/fixtures/mistakes.ts',
      'test/mistakes.test.ts',
      'test/plugin.test.ts',
      'test/watch.test.ts',
      'vitest.config.ts',
    ]);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg.dependencies).toEqual({ '@diaryx/plugin-sdk-as': '^0.1.0' });
    expect(pkg.devDependencies['@diaryx/testing']).toBe('^0.1.0');
    expect(pkg.name).toBe('my-plugin');
    const source = readFileSync(join(dir, 'assembly/index.ts'), 'utf8');
    expect(source).toContain('.requestPermission("read_files", "to read the notes you ask it about")');
    expect(source).toContain('.requestPermission("plugin_storage", "to remember its settings")');
    expect(source).toContain('.requiresApp("1.4.0")');
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toContain('plugin.wasm');
  });

  it('gives the generated project the Node versions of the kit: the engines of every package.json of the kit', () => {
    const dir = join(temp(), 'engines-plugin');
    scaffold(answers(dir), kit);
    const generated = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).engines;
    expect(generated).toEqual({ node: '^22 || ^24 || >=26' });
    const repo = fileURLToPath(new URL('../../..', import.meta.url));
    const manifests = ['package.json', ...['packages', 'examples'].flatMap((d) => readdirSync(join(repo, d)).map((p) => join(d, p, 'package.json')))];
    for (const manifest of manifests) {
      expect({ manifest, engines: JSON.parse(readFileSync(join(repo, manifest), 'utf8')).engines }).toEqual({ manifest, engines: generated });
    }
  });

  it('writes the ts template: definePlugin from the js-runtime SDK, the manifest with reasons, diaryx-js build, and a tsconfig for the tests', () => {
    const dir = join(temp(), 'ts-plugin');
    const result = scaffold(answers(dir, { template: 'ts' }), kit);
    expect(result.files.sort()).toEqual([
      '.gitignore',
      'README.md',
      'package.json',
      'src/index.ts',
      'test/fixtures/mistakes.ts',
      'test/mistakes.test.ts',
      'test/plugin.test.ts',
      'test/tsconfig.json',
      'test/watch.test.ts',
      'tsconfig.json',
      'vitest.config.ts',
    ]);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg.scripts.build).toBe('diaryx-js build src/index.ts -o plugin.wasm');
    // The plugin and the tests are both type-checked, each with its environment.
    expect(pkg.scripts.typecheck).toBe('tsc && tsc -p test');
    expect(JSON.parse(readFileSync(join(dir, 'test/tsconfig.json'), 'utf8'))).toMatchObject({ extends: '../tsconfig.json', include: ['.', '../vitest.config.ts'] });
    expect(pkg.devDependencies['@types/node']).toBeDefined();
    expect(pkg.scripts['build:watch']).toBe('diaryx-js build src/index.ts -o plugin.wasm --watch');
    expect(pkg.devDependencies['@diaryx/js-runtime']).toBe('^0.1.0');
    const source = readFileSync(join(dir, 'src/index.ts'), 'utf8');
    expect(source).toContain("import { CommandError, definePlugin, readFile } from '@diaryx/js-runtime/sdk'");
    expect(source).toContain('export const { manifest, handle_command, on_event, init, set_config, get_config } = definePlugin<Commands>({');
    expect(source).toContain('"read_files": "to read the notes you ask it about"');
    expect(source).toContain('"min_app_version": "1.4.0"');
  });

  it('the assemblyscript template builds with diaryx-as (asc in-process), and build:watch with the same arguments (-O3 and the names included: the tests see the binary a build ships)', () => {
    const dir = join(temp(), 'as-watch');
    scaffold(answers(dir), kit);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const asc = 'assembly/index.ts --outFile plugin.wasm --use abort=~lib/@diaryx/plugin-sdk-as/assembly/abort/abort -O3 --debug';
    expect(pkg.scripts.build).toBe(`diaryx-as build ${asc}`);
    expect(pkg.scripts['build:watch']).toBe(`diaryx-as build --watch ${asc}`);
  });

  // The generated tests show the issue-16 points; the release rehearsal runs them (installed from a registry).
  it.each([
    ['ts', 'src/index.ts', /at weekdayOf \(src\/index\.ts:\$\{line\}:/],
    ['assemblyscript', 'assembly/index.ts', /abort: not a date: tomorrow at assembly\/index\.ts:\$\{line\}:/],
  ] as const)('the %s template tests a thrown error at its line in %s, an endless loop, a forgotten permission and build:watch', (template, source, where) => {
    const dir = join(temp(), `${template}-tests`);
    scaffold(answers(dir, { template, permissions: ['read_files'] }), kit);
    const read = (path: string) => readFileSync(join(dir, path), 'utf8');
    // The line the test looks for exists in the plugin's source: `throw new Error` in weekdayOf.
    expect(read(source).split('\n').filter((line) => line.includes('throw new Error'))).toHaveLength(1);
    expect(read('test/plugin.test.ts')).toMatch(where);
    expect(read('test/plugin.test.ts')).toContain(`it('a thrown error points at its line in ${source}'`);
    const mistakes = read('test/mistakes.test.ts');
    expect(mistakes).toContain("it('an endless loop fails fast, naming the export and the deadline'");
    expect(mistakes).toMatch(/ran longer than 500 ms/);
    expect(mistakes).toContain('add it to requested_permissions');
    // The fixture loops on `spin` and reads without requesting read_files.
    const fixture = read('test/fixtures/mistakes.ts');
    expect(fixture).toMatch(/spin[^]*(for \(;;\)|while \(true\))/);
    expect(fixture).not.toMatch(/requested_permissions: \{|\.requestPermission\(/);
    const watch = read('test/watch.test.ts');
    // It runs exactly the build:watch script of package.json, whose bin it checks.
    expect(watch).toContain("scripts['build:watch']");
    expect(watch).toContain(`expect(command).toBe('${JSON.parse(read('package.json')).scripts['build:watch'].split(' ')[0]}')`);
    expect(watch).toContain("describe.skipIf(process.env['VITEST_MODE'] === 'WATCH')");
    // It builds a stand-in plugin, not the author's: replacing the demo does not break it.
    expect(watch).toContain('const STAND_IN = ');
    expect(watch).not.toContain(`join(root, '${source.split('/')[0]}')`);
  });

  it('writes the js template with a host-function interface file and a build that refuses to fake the compiler', () => {
    const dir = join(temp(), 'js-plugin');
    scaffold(answers(dir, { template: 'js' }), kit);
    expect(readFileSync(join(dir, 'src/plugin.d.ts'), 'utf8')).toContain('host_read_file(input: PTR): PTR;');
    expect(readFileSync(join(dir, 'scripts/build.mjs'), 'utf8')).toContain('extism-js was not found');
    const source = readFileSync(join(dir, 'src/index.ts'), 'utf8');
    expect(source).toContain('Host.getFunctions()');
    expect(source).toContain('"min_app_version": "1.4.0"');
  });

  it.each(['assemblyscript', 'ts', 'js'] as const)('the %s template has @diaryx/cli and the inspect, check and dev scripts', (template) => {
    const dir = join(temp(), `${template}-cli`);
    scaffold(answers(dir, { template }), kit);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg.devDependencies['@diaryx/cli']).toBe('^0.1.0');
    expect(pkg.scripts).toMatchObject({ inspect: 'diaryx-plugin inspect plugin.wasm', check: 'diaryx-plugin check plugin.wasm', dev: 'diaryx-plugin dev .' });
  });

  it('with local kit packages, overrides reference direct dependencies ($name) so adding a kit package later is no EOVERRIDE', () => {
    const packs = temp();
    for (const name of ['cli', 'testing', 'loader', 'host-fns', 'plugin-sdk-as', 'js-runtime']) writeFileSync(join(packs, `diaryx-${name}-0.1.0.tgz`), '');
    const dir = join(temp(), 'local');
    scaffold(answers(dir), localKitPackages(packs));
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg.devDependencies['@diaryx/cli']).toBe(`file:${join(packs, 'diaryx-cli-0.1.0.tgz')}`);
    expect(pkg.overrides).toMatchObject({
      '@diaryx/cli': '$@diaryx/cli',
      '@diaryx/testing': '$@diaryx/testing',
      '@diaryx/plugin-sdk-as': '$@diaryx/plugin-sdk-as',
      '@diaryx/loader': `file:${join(packs, 'diaryx-loader-0.1.0.tgz')}`,
    });
  });

  it('refuses an invalid id and a folder that is not empty', () => {
    expect(() => scaffold(answers(join(temp(), 'x'), { id: 'Not Valid' }), kit)).toThrow(ScaffoldError);
    const dir = temp();
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    expect(() => scaffold(answers(dir), kit)).toThrow(/is not empty.*--force/);
  });

  it('with force, keeps existing files as .bak instead of overwriting them', () => {
    const dir = temp();
    writeFileSync(join(dir, 'README.md'), 'my own readme');
    mkdirSync(join(dir, 'other'));
    const result = scaffold(answers(dir), kit, { force: true });
    expect(result.backedUp).toEqual(['README.md']);
    expect(readFileSync(join(dir, 'README.md.bak'), 'utf8')).toBe('my own readme');
  });

  it('derives a name and an id from the folder', () => {
    expect(titleFromFolder('my-cool_plugin')).toBe('My Cool Plugin');
    expect(idFromName('My Cool Plugin')).toBe('com.example.my-cool-plugin');
    expect(idFromName('2 Fast')).toBe('com.example.plugin-2-fast');
  });
});

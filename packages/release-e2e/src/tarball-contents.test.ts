import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { workspacePackageFolders } from './rehearse-release.js';
import { TARBALL_ALLOW_LIST, tarballProblems } from './tarball-allow-list.js';

// Security round 3 (issue 30): what each public package would publish, as `npm pack --dry-run
// --json` lists it, against the package's allow-list (the release rehearsal checks the real
// tarballs the same way), and the MIT LICENSE in the repository and in every package. Needs the
// workspace built (npm test builds first), since the tarballs ship `dist`.
const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..');
const run = promisify(execFile);

interface Manifest {
  name: string;
  private?: boolean;
  license?: string;
  files?: string[];
}
const manifestOf = (folder: string) => JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as Manifest;
const publicFolders = workspacePackageFolders(repo).filter((folder) => manifestOf(folder).private !== true);

/** The files `npm pack` would put in the package's tarball. */
async function packList(folder: string): Promise<string[]> {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: folder, maxBuffer: 64 * 1024 * 1024 });
  const [pack] = JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>;
  return pack!.files.map((file) => file.path);
}

describe('tarball allow-lists', () => {
  const clean = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/index.js', 'dist/index.d.ts', 'dist/node/x.js.map', 'src/index.ts'];

  it('accept a clean listing and name each file that should not be shipped', () => {
    expect(tarballProblems('@diaryx/loader', clean)).toEqual([]);
    expect(
      tarballProblems('@diaryx/loader', [
        ...clean,
        'dist/test-support/fixtures.js',
        'dist/test-support/fixtures.js.map',
        'src/loaded-plugin.test.ts',
        'tsconfig.tsbuildinfo',
        'notes.txt',
      ]),
    ).toEqual([
      '@diaryx/loader ships dist/test-support/fixtures.js, test support, which no tarball may hold',
      '@diaryx/loader ships dist/test-support/fixtures.js.map, test support, which no tarball may hold',
      '@diaryx/loader ships src/loaded-plugin.test.ts, a test, which no tarball may hold',
      '@diaryx/loader ships tsconfig.tsbuildinfo, TypeScript build state, which no tarball may hold',
      '@diaryx/loader ships notes.txt, which its allow-list does not name',
    ]);
  });

  it('require package.json, README.md and LICENSE, and know every public package', () => {
    expect(tarballProblems('@diaryx/wasm', ['package.json', 'README.md', 'dist/index.js'])).toEqual(['@diaryx/wasm does not ship LICENSE']);
    expect(tarballProblems('@diaryx/unknown', clean)).toEqual(['@diaryx/unknown has no tarball allow-list: add one to TARBALL_ALLOW_LIST (packages/release-e2e)']);
    expect(Object.keys(TARBALL_ALLOW_LIST).sort()).toEqual(publicFolders.map((folder) => manifestOf(folder).name).sort());
  });

  it('issue 30: what every public package would publish (npm pack --dry-run) is on its allow-list: no test support, a LICENSE', async () => {
    const lists = await Promise.all(
      publicFolders.map(async (folder) => {
        expect(existsSync(join(folder, 'package.json'))).toBe(true);
        return { name: manifestOf(folder).name, files: await packList(folder) };
      }),
    );
    for (const { name, files } of lists) {
      if (name !== '@diaryx/plugin-sdk-as') expect(files.some((file) => file.startsWith('dist/')), `${name}: build the workspace first`).toBe(true);
    }
    expect(lists.flatMap(({ name, files }) => tarballProblems(name, files))).toEqual([]);
  }, 120_000);
});

describe('issue 30: the MIT license', () => {
  const license = () => readFileSync(join(repo, 'LICENSE'), 'utf8');

  it('the repository has a LICENSE: MIT, copyright the Diaryx Plugin Kit contributors', () => {
    expect(license()).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} Diaryx Plugin Kit contributors\n/);
    expect(license()).toContain('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND');
  });

  it.each(publicFolders.map((folder) => [manifestOf(folder).name, folder]))('%s says MIT, has the same LICENSE and lists it in files', (_name, folder) => {
    const manifest = manifestOf(folder);
    expect(manifest.license).toBe('MIT');
    expect(existsSync(join(folder, 'LICENSE')), `${folder}/LICENSE`).toBe(true);
    expect(readFileSync(join(folder, 'LICENSE'), 'utf8')).toBe(license());
    expect(manifest.files).toContain('LICENSE');
  });
});

// A scaffolded plugin project whose kit packages are the workspace's own (symbolic links into
// node_modules, no install): for measuring the generated project's test loop on a checkout. The
// release rehearsal (packages/release-e2e) is the test that installs a project as users do.
import { mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TemplateName } from '../packages/create-plugin/src/answers.js';
import { publishedKitPackages } from '../packages/create-plugin/src/package-specs.js';
import { scaffold } from '../packages/create-plugin/src/scaffold.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where each package a generated project uses lives in the workspace. */
const LINKS: Record<string, string> = {
  '@diaryx/cli': 'packages/cli',
  '@diaryx/testing': 'packages/testing',
  '@diaryx/loader': 'packages/loader',
  '@diaryx/host-fns': 'packages/host-fns',
  '@diaryx/js-runtime': 'packages/js-runtime',
  '@diaryx/plugin-sdk-as': 'packages/plugin-sdk-as',
  '@diaryx/wasm': 'packages/wasm',
  '@diaryx/watch': 'packages/watch',
  vitest: 'node_modules/vitest',
  typescript: 'node_modules/typescript',
  '@types/node': 'node_modules/@types/node',
  assemblyscript: 'packages/plugin-sdk-as/node_modules/assemblyscript',
  '@extism/as-pdk': 'packages/plugin-sdk-as/node_modules/@extism/as-pdk',
  'assemblyscript-json': 'packages/plugin-sdk-as/node_modules/assemblyscript-json',
};

/** Scaffolds `template` into `directory` (emptied first) and links the workspace's packages into its node_modules. */
export function linkedProject(directory: string, template: TemplateName): string {
  rmSync(directory, { recursive: true, force: true });
  scaffold({ directory, name: 'My Plugin', id: 'com.example.my-plugin', description: 'Does things', template, permissions: ['read_files'] }, publishedKitPackages('0.1.0'));
  for (const [name, target] of Object.entries(LINKS)) {
    const link = join(directory, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(repo, target), link, 'dir');
  }
  const bin = join(directory, 'node_modules', '.bin');
  mkdirSync(bin, { recursive: true });
  for (const [name, target] of Object.entries({ 'diaryx-js': 'packages/js-runtime/bin/diaryx-js.js', 'diaryx-as': 'packages/plugin-sdk-as/bin/diaryx-as.js', vitest: 'node_modules/vitest/vitest.mjs' })) {
    symlinkSync(join(repo, target), join(bin, name));
  }
  return directory;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [directory, template] = process.argv.slice(2);
  if (!directory || !template) throw new Error('usage: tsx bench/linked-project.ts <folder> <ts|assemblyscript>');
  console.log(`${linkedProject(directory, template as TemplateName)}: ${readdirSync(directory).join(', ')}`);
}

#!/usr/bin/env node
// Packs every kit package a generated plugin project needs (`pnpm pack`, exactly what would be
// published) into one folder, for `create-diaryx-plugin --kit-packages <folder>`:
//   npx turbo run build && node scripts/pack-kit.mjs [folder, default ./kit-packages]
// @diaryx/cli, @diaryx/testing, @diaryx/plugin-sdk-as and @diaryx/js-runtime are what templates
// depend on; @diaryx/loader, @diaryx/host-fns and @diaryx/wasm are their dependencies (and what an
// app installs: docs/hosting.md).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The kit packages a generated project installs, directly or through another kit package. */
export const KIT_PACKAGES = ['wasm', 'host-fns', 'loader', 'testing', 'cli', 'plugin-sdk-as', 'js-runtime'];

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? 'kit-packages');
mkdirSync(out, { recursive: true });
// The repository's own pnpm (a dev dependency of the root), as the create-plugin e2e test uses.
const pnpm = join(repo, 'node_modules', '.bin', 'pnpm');
for (const name of KIT_PACKAGES) {
  const dir = join(repo, 'packages', name);
  if (readdirSync(dir).includes('dist') === false && name !== 'plugin-sdk-as') {
    console.error(`packages/${name} has no dist/: build the kit first (npx turbo run build)`);
    process.exit(1);
  }
  execFileSync(pnpm, ['pack', '--pack-destination', out], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
}
console.log(`packed ${KIT_PACKAGES.map((n) => `@diaryx/${n}`).join(', ')} into ${out}`);
console.log(`now: npm create diaryx-plugin@latest my-plugin -- --kit-packages ${out}`);
console.log(`  or: node ${join(repo, 'packages', 'create-plugin', 'dist', 'cli.js')} my-plugin --kit-packages ${out}`);

import type { PluginAnswers, RequestablePermission } from '../answers.js';
import { PERMISSION_REASONS } from '../answers.js';
import type { KitPackages } from '../package-specs.js';

/** The Node versions a generated project supports: the kit's own (every package.json of the kit says the same). */
export const SUPPORTED_NODE = '^22 || ^24 || >=26';

/** The npm package name for a project folder. */
export function packageName(answers: PluginAnswers): string {
  const base = answers.directory.split(/[\\/]/).filter(Boolean).pop() ?? 'diaryx-plugin';
  return base.toLowerCase().replace(/[^a-z0-9-._~]+/g, '-').replace(/^[-._]+/, '') || 'diaryx-plugin';
}

/** The package.json of a generated project. */
export function packageJson(
  answers: PluginAnswers,
  kit: KitPackages,
  parts: { scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> },
): string {
  const json: Record<string, unknown> = {
    name: packageName(answers),
    version: '0.1.0',
    private: true,
    description: answers.description,
    type: 'module',
    engines: { node: SUPPORTED_NODE },
    scripts: parts.scripts,
    dependencies: parts.dependencies,
    devDependencies: parts.devDependencies,
  };
  // An override of a package that is also a direct dependency must reference it ("$name"), or npm
  // fails with EOVERRIDE; one of a package that is only transitive keeps its tarball.
  const direct = { ...parts.dependencies, ...parts.devDependencies };
  const overrides = Object.fromEntries(Object.entries(kit.overrides).map(([name, spec]) => [name, name in direct ? `$${name}` : spec]));
  if (Object.keys(overrides).length > 0) json['overrides'] = overrides;
  return `${JSON.stringify(json, null, 2)}\n`;
}

/** The wasm a template builds. */
export const PLUGIN_WASM = 'plugin.wasm';

/**
 * The npm scripts of the kit's CLI every template has: `inspect` and `check` the built plugin,
 * and `dev` (`npm run dev -- --workspace <folder>`): rebuild on save, reload, file events, a prompt.
 */
export const CLI_SCRIPTS: Record<string, string> = {
  inspect: `diaryx-plugin inspect ${PLUGIN_WASM}`,
  check: `diaryx-plugin check ${PLUGIN_WASM}`,
  dev: 'diaryx-plugin dev .',
};

/** The permissions as `[key, reason]`, in the protocol's order. */
export function requested(answers: PluginAnswers): Array<[RequestablePermission, string]> {
  const order = Object.keys(PERMISSION_REASONS) as RequestablePermission[];
  return order.filter((key) => answers.permissions.includes(key)).map((key) => [key, PERMISSION_REASONS[key]]);
}

/** The .gitignore of a generated project. */
export const GITIGNORE = 'node_modules/\nplugin.wasm\nplugin.wasm.map\nbuild/\ndist/\ncoverage/\n.diaryx-dev-state.json\n';

/** The README section on installing the built plugin into Diaryx. */
export function installSection(answers: PluginAnswers): string {
  return `## Install it in Diaryx

Copy \`plugin.wasm\` to \`<your workspace>/.diaryx/plugins/${answers.id}/plugin.wasm\` and restart
Diaryx (or reload plugins). Diaryx asks you to grant the permissions the manifest requests.
`;
}

/**
 * The generated vitest.config.ts: `diaryxBuild()` builds plugin.wasm before the first test and,
 * under `vitest` (watch mode), rebuilds it and reruns the tests whenever a source file changes.
 */
export const VITEST_CONFIG = `import { diaryxBuild } from '@diaryx/testing/vitest-plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [diaryxBuild()],
  // Threads start faster than Vitest's default child processes: a rerun after a save is sooner.
  test: { pool: 'threads' },
});
`;

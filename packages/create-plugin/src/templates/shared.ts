import type { PluginAnswers, RequestablePermission } from '../answers.js';
import { PERMISSION_REASONS } from '../answers.js';
import type { KitPackages } from '../package-specs.js';

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
    engines: { node: '>=20.11' },
    scripts: parts.scripts,
    dependencies: parts.dependencies,
    devDependencies: parts.devDependencies,
  };
  if (Object.keys(kit.overrides).length > 0) json['overrides'] = kit.overrides;
  return `${JSON.stringify(json, null, 2)}\n`;
}

/** The permissions as `[key, reason]`, in the protocol's order. */
export function requested(answers: PluginAnswers): Array<[RequestablePermission, string]> {
  const order = Object.keys(PERMISSION_REASONS) as RequestablePermission[];
  return order.filter((key) => answers.permissions.includes(key)).map((key) => [key, PERMISSION_REASONS[key]]);
}

/** The .gitignore of a generated project. */
export const GITIGNORE = 'node_modules/\nplugin.wasm\nbuild/\ndist/\ncoverage/\n';

/** The README section on installing the built plugin into Diaryx. */
export function installSection(answers: PluginAnswers): string {
  return `## Install it in Diaryx

Copy \`plugin.wasm\` to \`<your workspace>/.diaryx/plugins/${answers.id}/plugin.wasm\` and restart
Diaryx (or reload plugins). Diaryx asks you to grant the permissions the manifest requests.
`;
}

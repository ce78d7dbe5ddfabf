import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { PluginAnswers, TemplateName } from './answers.js';
import type { KitPackages } from './package-specs.js';
import { pluginIdProblem } from './plugin-id.js';
import { assemblyscriptTemplate } from './templates/assemblyscript.js';
import { jsTemplate } from './templates/js.js';
import { tsTemplate } from './templates/ts.js';

/** Why scaffolding was refused. */
export class ScaffoldError extends Error {
  override readonly name = 'ScaffoldError';
}

/** What {@link scaffold} wrote. */
export interface ScaffoldResult {
  /** The project folder, absolute. */
  directory: string;
  /** Files written, relative to the folder. */
  files: string[];
  /** Existing files that were moved to `<file>.bak` (only with `force`). */
  backedUp: string[];
}

const TEMPLATES: Record<TemplateName, (answers: PluginAnswers, kit: KitPackages) => Record<string, string>> = {
  ts: tsTemplate,
  assemblyscript: assemblyscriptTemplate,
  js: jsTemplate,
};

/**
 * Writes a new plugin project. Refuses an invalid id and a folder that is not empty unless
 * `force`; even then no file is overwritten silently: an existing one is moved to `<file>.bak`.
 *
 * @example
 * scaffold({ directory: 'my-plugin', name: 'My Plugin', id: 'com.example.my-plugin', description: 'Does things', template: 'assemblyscript', permissions: ['read_files'] }, publishedKitPackages('0.1.0'));
 * @throws ScaffoldError
 */
export function scaffold(answers: PluginAnswers, kit: KitPackages, options: { force?: boolean } = {}): ScaffoldResult {
  const problem = pluginIdProblem(answers.id);
  if (problem) throw new ScaffoldError(`Invalid plugin id: ${problem}`);
  const directory = resolve(answers.directory);
  if (existsSync(directory) && readdirSync(directory).length > 0 && !options.force) {
    throw new ScaffoldError(`${directory} is not empty. Choose another folder, or pass --force to add the project there (existing files are kept as .bak).`);
  }
  const files = TEMPLATES[answers.template](answers, kit);
  const backedUp: string[] = [];
  for (const [path, content] of Object.entries(files)) {
    const target = join(directory, path);
    mkdirSync(dirname(target), { recursive: true });
    if (existsSync(target)) {
      renameSync(target, `${target}.bak`);
      backedUp.push(path);
    }
    writeFileSync(target, content);
  }
  return { directory, files: Object.keys(files), backedUp };
}

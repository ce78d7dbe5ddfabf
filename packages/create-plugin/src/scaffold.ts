import { resolve } from 'node:path';
import type { PluginAnswers, TemplateName } from './answers.js';
import { packageNameProblem, packageNameSuggestion } from './package-name.js';
import type { KitPackages } from './package-specs.js';
import { pluginIdProblem } from './plugin-id.js';
import { type BackedUpFile, projectFolderState, ProjectWriteError, writeProjectFiles } from './project-writer.js';
import { assemblyscriptTemplate } from './templates/assemblyscript.js';
import { jsTemplate } from './templates/js.js';
import { packageName } from './templates/shared.js';
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
  /** Existing files that were moved aside (only with `force`), relative to the folder. */
  backedUp: string[];
  /** Where each of {@link backedUp} went: `<file>.bak`, or `.bak.1`, `.bak.2`, … when taken. */
  backups: BackedUpFile[];
}

const TEMPLATES: Record<TemplateName, (answers: PluginAnswers, kit: KitPackages) => Record<string, string>> = {
  ts: tsTemplate,
  assemblyscript: assemblyscriptTemplate,
  js: jsTemplate,
};

/** Refuses a folder whose name gives a package name npm refuses, suggesting one it accepts. */
function checkPackageName(answers: PluginAnswers): void {
  const name = packageName(answers);
  const problem = packageNameProblem(name);
  if (problem === null) return;
  const folder = answers.directory.split(/[\\/]/).filter(Boolean).pop() ?? answers.directory;
  throw new ScaffoldError(
    `The folder name "${folder}" gives the package name "${name}", which npm refuses: ${problem}. ` +
      `Name the project folder differently, such as "${packageNameSuggestion(name)}".`,
  );
}

/**
 * Writes a new plugin project. Refuses an invalid id, a folder whose name gives a package name
 * npm refuses, and a folder that is not empty unless `force`; even then nothing is overwritten:
 * an existing file is moved to a free backup name (`<file>.bak`, `.bak.1`, …) and one that
 * already holds the content is left alone. Nothing is written through a symbolic link inside the
 * folder. Every file-system problem (a file where a folder is needed, no permission, a full
 * disk) is a {@link ScaffoldError} naming the path.
 *
 * @example
 * scaffold({ directory: 'my-plugin', name: 'My Plugin', id: 'com.example.my-plugin', description: 'Does things', template: 'assemblyscript', permissions: ['read_files'] }, publishedKitPackages('0.1.0'));
 * @throws ScaffoldError
 */
export function scaffold(answers: PluginAnswers, kit: KitPackages, options: { force?: boolean } = {}): ScaffoldResult {
  const problem = pluginIdProblem(answers.id);
  if (problem) throw new ScaffoldError(`Invalid plugin id: ${problem}`);
  checkPackageName(answers);
  const directory = resolve(answers.directory);
  const files = TEMPLATES[answers.template](answers, kit);
  try {
    const folder = projectFolderState(directory);
    if (folder.exists && !folder.empty && !options.force) {
      throw new ScaffoldError(`${directory} is not empty. Choose another folder, or pass --force to add the project there (existing files are kept as .bak).`);
    }
    const backups = writeProjectFiles(directory, files);
    return { directory, files: Object.keys(files), backedUp: backups.map((b) => b.file), backups };
  } catch (error) {
    if (error instanceof ProjectWriteError) throw new ScaffoldError(error.message, { cause: error });
    throw error;
  }
}

export { pluginIdProblem } from './plugin-id.js';
export {
  idFromName,
  PERMISSION_REASONS,
  type PluginAnswers,
  type RequestablePermission,
  TEMPLATES,
  type TemplateName,
  titleFromFolder,
} from './answers.js';
export { type KitPackages, localKitPackages, publishedKitPackages } from './package-specs.js';
export { MAX_PACKAGE_NAME_LENGTH, packageNameProblem, packageNameSuggestion } from './package-name.js';
export type { BackedUpFile } from './project-writer.js';
export { scaffold, ScaffoldError, type ScaffoldResult } from './scaffold.js';

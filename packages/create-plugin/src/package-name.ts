import { builtinModules } from 'node:module';

/** The longest package name npm accepts. */
export const MAX_PACKAGE_NAME_LENGTH = 214;
/** Names npm refuses whatever their form. */
const BLOCKED_NAMES = new Set(['node_modules', 'favicon.ico']);
/** Characters npm refuses in new package names although they are URL-safe. */
const SPECIAL = /[~'!()*]/;

const isCoreModule = (name: string) => builtinModules.includes(name) || builtinModules.includes(`node:${name}`);

/**
 * Checks an unscoped package name against npm's rules for new packages: not empty, at most 214
 * characters, no leading `.` or `_`, no capital letters, only URL-safe characters and none of
 * `~'!()*`, not a name npm blocks (`node_modules`, `favicon.ico`) and not the name of a Node.js
 * core module. Returns null when npm accepts it, else what is wrong.
 */
export function packageNameProblem(name: string): string | null {
  if (name === '') return 'a package name may not be empty';
  if (name.length > MAX_PACKAGE_NAME_LENGTH) {
    return `it is ${name.length} characters long; npm allows at most ${MAX_PACKAGE_NAME_LENGTH}`;
  }
  if (name.startsWith('.')) return 'a package name may not start with "."';
  if (name.startsWith('_')) return 'a package name may not start with "_"';
  if (name !== name.toLowerCase()) return `"${name}" has capital letters, which npm refuses in new package names`;
  const special = SPECIAL.exec(name);
  if (special) return `"${name}" has "${special[0]}", which npm refuses in new package names`;
  if (encodeURIComponent(name) !== name) return `"${name}" has characters that are not URL-safe`;
  if (BLOCKED_NAMES.has(name)) return `"${name}" is a name npm blocks`;
  if (isCoreModule(name)) return `"${name}" is the name of a Node.js core module`;
  return null;
}

/** A name close to `name` that {@link packageNameProblem} accepts. */
export function packageNameSuggestion(name: string): string {
  const trim = (text: string) => text.slice(0, MAX_PACKAGE_NAME_LENGTH).replace(/[-._]+$/, '');
  let suggestion = trim(
    name
      .toLowerCase()
      .replace(/[^a-z0-9-._]+/g, '-')
      .replace(/^[-._]+/, ''),
  );
  if (suggestion === '') suggestion = 'diaryx-plugin';
  if (packageNameProblem(suggestion) !== null) suggestion = `${trim(suggestion.slice(0, MAX_PACKAGE_NAME_LENGTH - '-plugin'.length))}-plugin`;
  return suggestion;
}

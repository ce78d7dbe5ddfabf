// What each published tarball may hold: an allow-list per package, checked against `npm pack
// --dry-run --json` in the suite and against the real tarballs in the release rehearsal. A file
// the list does not name (compiled test support, a fixture, a test) fails the check, so nothing
// reaches users by accident; adding a file to a package means adding it here, on purpose.

/** Files every tarball must hold. */
export const REQUIRED_TARBALL_FILES = ['package.json', 'README.md', 'LICENSE'] as const;

const COMMON = ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE'];
/** A TypeScript package: compiled JavaScript, declarations and their maps, and the sources the maps point to. */
const TYPESCRIPT_PACKAGE = [...COMMON, 'dist/**/*.js', 'dist/**/*.js.map', 'dist/**/*.d.ts', 'dist/**/*.d.ts.map', 'src/**/*.ts'];

/** Globs (`*` within a path segment, `**` across segments) of the files each public package may ship. */
export const TARBALL_ALLOW_LIST: Readonly<Record<string, readonly string[]>> = {
  '@diaryx/cli': TYPESCRIPT_PACKAGE,
  '@diaryx/host-fns': TYPESCRIPT_PACKAGE,
  '@diaryx/loader': TYPESCRIPT_PACKAGE,
  '@diaryx/testing': TYPESCRIPT_PACKAGE,
  '@diaryx/wasm': TYPESCRIPT_PACKAGE,
  '@diaryx/watch': TYPESCRIPT_PACKAGE,
  'create-diaryx-plugin': TYPESCRIPT_PACKAGE,
  '@diaryx/js-runtime': [
    ...TYPESCRIPT_PACKAGE,
    'dist/runtime.wasm',
    'dist/THIRD_PARTY_LICENSES.md',
    'bin/diaryx-js.js',
    'native/*.c',
    'patches/*.patch',
    'runtime/*.js',
    'scripts/*.mjs',
    'types/*.d.ts',
  ],
  '@diaryx/plugin-sdk-as': [...COMMON, 'index.ts', 'assembly/**/*.ts', 'bin/*.js'],
};

/** Never shipped, whatever a package's list allows: test support, tests, fixtures, build state. */
const NEVER_SHIPPED: ReadonlyArray<[RegExp, string]> = [
  [/(^|\/)test-support\//, 'test support'],
  [/(^|\/)(__tests__|fixtures?|test)\//, 'a test folder'],
  [/\.test(-d)?\.[cm]?[jt]s(\.map)?$|\.test(-d)?\.d\.[cm]?ts(\.map)?$/, 'a test'],
  [/\.tsbuildinfo$/, 'TypeScript build state'],
  [/(^|\/)node_modules\//, 'installed dependencies'],
];

/** A glob as a regular expression over `/`-separated paths. */
function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (glob.startsWith('**/', i)) {
      source += '(?:[^/]+/)*';
      i += 2;
    } else if (c === '*') {
      source += '[^/]*';
    } else {
      source += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

/**
 * What is wrong with a package's tarball file list (paths relative to the package folder, `/`
 * separated): files its allow-list does not name, files no tarball may hold, required files
 * that are missing. Empty when the list is fine.
 */
export function tarballProblems(packageName: string, files: readonly string[]): string[] {
  const allowed = TARBALL_ALLOW_LIST[packageName];
  if (allowed === undefined) return [`${packageName} has no tarball allow-list: add one to TARBALL_ALLOW_LIST (packages/release-e2e)`];
  const patterns = allowed.map(globToRegExp);
  const problems: string[] = [];
  for (const file of files) {
    const never = NEVER_SHIPPED.find(([pattern]) => pattern.test(file));
    if (never !== undefined) problems.push(`${packageName} ships ${file}, ${never[1]}, which no tarball may hold`);
    else if (!patterns.some((pattern) => pattern.test(file))) problems.push(`${packageName} ships ${file}, which its allow-list does not name`);
  }
  for (const file of REQUIRED_TARBALL_FILES) {
    if (!files.includes(file)) problems.push(`${packageName} does not ship ${file}`);
  }
  return problems;
}

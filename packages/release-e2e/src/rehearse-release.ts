import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, relative } from 'node:path';

/** A workspace package as the release sees it. */
export interface ReleasedPackage {
  readonly name: string;
  readonly version: string;
  readonly private: boolean;
  /** Its folder in the throwaway copy (with its versioned package.json and CHANGELOG.md). */
  readonly folder: string;
}

/** The workspace's package folders (`packages/*`, `examples/*`, as pnpm-workspace.yaml lists). */
export function workspacePackageFolders(repo: string): string[] {
  return ['packages', 'examples'].flatMap((group) =>
    readdirSync(join(repo, group), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(repo, group, entry.name, 'package.json')))
      .map((entry) => join(repo, group, entry.name)),
  );
}

function readManifest(folder: string): { name: string; version: string; private?: boolean } {
  return JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { name: string; version: string; private?: boolean };
}

/**
 * A throwaway copy of the workspace for a release: the root's package.json, pnpm-workspace.yaml
 * and `.changeset/`, every package's package.json, and the whole folder of each public package
 * (its built `dist` included, without `node_modules`), so `changeset version` and the publish
 * run on the copy and never touch the checkout. The copy's `node_modules` is the checkout's
 * (a symbolic link), for the changelog generator.
 */
export function throwawayCopy(repo: string, into: string): string {
  mkdirSync(into, { recursive: true });
  for (const file of ['package.json', 'pnpm-workspace.yaml', 'pnpm-lock.yaml']) cpSync(join(repo, file), join(into, file));
  cpSync(join(repo, '.changeset'), join(into, '.changeset'), { recursive: true });
  symlinkSync(join(repo, 'node_modules'), join(into, 'node_modules'), 'dir');
  const folders = new Map(workspacePackageFolders(repo).map((folder) => [readManifest(folder).name, join(into, relative(repo, folder))]));
  for (const folder of workspacePackageFolders(repo)) {
    const target = join(into, relative(repo, folder));
    if (readManifest(folder).private) {
      mkdirSync(target, { recursive: true });
      cpSync(join(folder, 'package.json'), join(target, 'package.json'));
      continue;
    }
    cpSync(folder, target, { recursive: true, filter: (source) => !/[\\/](node_modules|\.turbo)$/.test(source) });
    // What `pnpm install` links: the workspace packages it depends on, which `pnpm publish` reads
    // to turn `workspace:` specifiers into the released versions.
    for (const name of workspaceDependencies(join(folder, 'package.json'))) {
      const link = join(target, 'node_modules', name);
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(folders.get(name) ?? join(repo, 'node_modules', name), link, 'dir');
    }
  }
  return into;
}

/** The names of the `workspace:` dependencies (of any kind) of a package.json. */
function workspaceDependencies(manifestPath: string): string[] {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, Record<string, string> | undefined>;
  return ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'].flatMap((field) =>
    Object.entries(manifest[field] ?? {})
      .filter(([, spec]) => spec.startsWith('workspace:'))
      .map(([name]) => name),
  );
}

/** Runs a command for the release (the checkout's tools first on PATH) and throws with its output if it fails. */
export function runReleaseTool(repo: string, cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  const path = [join(repo, 'node_modules', '.bin'), dirname(process.execPath), process.env['PATH'] ?? ''].join(delimiter);
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...env, PATH: path }, timeout: 180_000 });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd} (exit ${result.status}):\n${result.stdout}\n${result.stderr}\n${result.error ?? ''}`);
  }
  return result;
}

/** The packages of a (versioned) copy. */
export function releasedPackages(copy: string): ReleasedPackage[] {
  return workspacePackageFolders(copy).map((folder) => {
    const manifest = readManifest(folder);
    return { name: manifest.name, version: manifest.version, private: manifest.private === true, folder };
  });
}

/** `.npmrc` lines that point npm and pnpm at `registryUrl` only, with a token when publishing. */
export function npmrcFor(registryUrl: string, token?: string): string {
  const hostPath = registryUrl.replace(/^https?:/, '');
  return `registry=${registryUrl}\n${token ? `${hostPath}:_authToken=${token}\n` : ''}audit=false\nfund=false\nupdate-notifier=false\n`;
}

/** Writes a file, creating its folder. */
export function writeFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** One installed third-party package version: its folder in the workspace and its manifest. */
export interface InstalledPackage {
  readonly name: string;
  readonly version: string;
  readonly folder: string;
  readonly manifest: Record<string, unknown> & { name: string; version: string };
}

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** Where Node would find `name` from `folder`: the nearest `node_modules/<name>` up the tree. */
function resolveFrom(folder: string, name: string): string | undefined {
  for (let dir = folder; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Every package version npm would install for `roots` (`[from folder, package name]`), as the
 * workspace has them installed (pnpm's layout: a package's dependencies sit next to it): its
 * dependencies, the optional ones this platform installed, and its required peers. A missing
 * required dependency is an error naming both packages.
 */
export function thirdPartyClosure(roots: ReadonlyArray<readonly [string, string]>): InstalledPackage[] {
  const found = new Map<string, InstalledPackage>();
  const visit = (folder: string) => {
    if (found.has(folder)) return;
    const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as Manifest & Record<string, unknown>;
    found.set(folder, { name: manifest.name, version: manifest.version, folder, manifest });
    const optional = new Set(Object.keys(manifest.optionalDependencies ?? {}));
    const peers = Object.keys(manifest.peerDependencies ?? {}).filter((peer) => !manifest.peerDependenciesMeta?.[peer]?.optional);
    for (const name of new Set([...Object.keys(manifest.dependencies ?? {}), ...optional, ...peers])) {
      const dependency = resolveFrom(folder, name);
      if (dependency) visit(dependency);
      else if (!optional.has(name)) throw new Error(`${manifest.name}@${manifest.version} needs ${name}, which is not installed in the workspace`);
    }
  };
  for (const [from, name] of roots) {
    const folder = resolveFrom(from, name);
    if (!folder) throw new Error(`${name} is not installed for ${from}: add it to that package's dependencies`);
    visit(folder);
  }
  return [...found.values()];
}

/**
 * Packs an installed package folder as its registry tarball (`package/…`, without the
 * `node_modules` pnpm adds for bins), into `outDir`. Returns the file and its dist fields.
 */
export function packInstalled(pkg: InstalledPackage, outDir: string): { file: string; shasum: string; integrity: string } {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${pkg.name.replace('/', '__')}-${pkg.version}.tgz`);
  execFileSync(
    'tar',
    ['-c', '--use-compress-program=gzip -1', '-f', file, '--exclude=./node_modules', '--hard-dereference', '--owner=0', '--group=0', '--numeric-owner', '--transform=s,^\\.,package,', '-C', pkg.folder, '.'],
    { stdio: 'pipe' },
  );
  const bytes = readFileSync(file);
  return {
    file,
    shasum: createHash('sha1').update(bytes).digest('hex'),
    integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
  };
}

/**
 * Publishes installed third-party packages to `registryUrl` (the npm publish request, one per
 * version, in ascending order so `latest` is the newest), so that a registry without an uplink
 * can install them. Runs `concurrency` packages at once.
 */
export async function publishInstalled(packages: readonly InstalledPackage[], registryUrl: string, token: string, workDir: string, concurrency = 4): Promise<void> {
  const byName = new Map<string, InstalledPackage[]>();
  for (const pkg of packages) byName.set(pkg.name, [...(byName.get(pkg.name) ?? []), pkg]);
  const queue = [...byName.values()];
  const worker = async () => {
    for (let versions = queue.shift(); versions; versions = queue.shift()) {
      versions.sort((a, b) => compareVersions(a.version, b.version));
      for (const pkg of versions) await publishOne(pkg, registryUrl, token, workDir);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function publishOne(pkg: InstalledPackage, registryUrl: string, token: string, workDir: string): Promise<void> {
  const { file, shasum, integrity } = packInstalled(pkg, workDir);
  const data = readFileSync(file);
  const tarballName = `${pkg.name.split('/').pop()}-${pkg.version}.tgz`;
  const body = {
    _id: pkg.name,
    name: pkg.name,
    'dist-tags': { latest: pkg.version },
    versions: {
      [pkg.version]: {
        ...pkg.manifest,
        _id: `${pkg.name}@${pkg.version}`,
        dist: { shasum, integrity, tarball: new URL(`${pkg.name}/-/${tarballName}`, registryUrl).href },
      },
    },
    _attachments: { [tarballName]: { content_type: 'application/octet-stream', data: data.toString('base64'), length: data.length } },
  };
  const request = () =>
    fetch(new URL(pkg.name.replace('/', '%2f'), registryUrl), {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
  // A keep-alive socket the busy server closes as a request starts fails the request: try again.
  const response = await request()
    .catch(request)
    .catch((error: unknown) => {
      throw new Error(`publishing ${pkg.name}@${pkg.version} (${data.length} bytes) to the local registry failed`, { cause: error });
    });
  if (!response.ok) throw new Error(`publishing ${pkg.name}@${pkg.version} to the local registry failed: ${response.status} ${await response.text()}`);
}

/** Orders plain `x.y.z[-pre]` versions (enough for ordering the versions of one package). */
function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.split(/[.+-]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const [x, y] = [pa[i], pb[i]];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

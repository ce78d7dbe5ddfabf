import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';

/** How the generated project refers to the kit's packages. */
export interface KitPackages {
  /** The dependency specifier of a kit package (`^0.1.0`, or `file:` a local tarball). */
  specifier(name: string): string;
  /** `overrides` for the generated package.json (local tarballs of transitive kit packages). */
  overrides: Record<string, string>;
}

/** The published packages, at the version of this scaffolder (they are versioned together). */
export function publishedKitPackages(version: string): KitPackages {
  return { specifier: () => `^${version}`, overrides: {} };
}

/**
 * Packages packed from this repository (`pnpm pack`) into `dir`: every kit package resolves to
 * its tarball, directly and through `overrides`, so a generated project installs the kit
 * exactly as a user would, without the registry having it. For tests and kit development.
 */
export function localKitPackages(dir: string): KitPackages {
  const tarballs: Record<string, string> = {};
  for (const file of readdirSync(dir)) {
    const match = /^diaryx-(.+)-\d+\.\d+\.\d+.*\.tgz$/.exec(file);
    if (match) tarballs[`@diaryx/${match[1]}`] = `file:${resolve(dir, file)}`;
  }
  return {
    specifier(name) {
      const spec = tarballs[name];
      if (!spec) throw new Error(`no tarball for ${name} in ${dir} (found: ${Object.keys(tarballs).join(', ') || 'none'})`);
      return spec;
    },
    overrides: tarballs,
  };
}

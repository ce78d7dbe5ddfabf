import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { npmrcFor } from './rehearse-release.js';

/** The outcome of one command a user runs. */
export interface UserCommandResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** `$ command args` and both outputs, for a failure message. */
  readonly transcript: string;
}

/** A user's machine for the rehearsal: npm configured for the local registry only. */
export interface NpmUser {
  /** A new empty folder with a `.npmrc` that points at the local registry only. */
  emptyFolder(prefix: string): string;
  /** Runs a command the way the user would in a terminal at `cwd`. */
  run(cwd: string, command: string, args: readonly string[]): UserCommandResult;
}

/**
 * A user whose npm knows only `registryUrl`: its own user and global config files (so nothing of
 * this machine's npm config applies), its own cache folder under `home`, no `npm_*` variables
 * inherited from the test runner, and a PATH without any `node_modules/.bin` of the workspace.
 */
export function npmUser(home: string, registryUrl: string): NpmUser {
  mkdirSync(home, { recursive: true });
  const userconfig = join(home, '.npmrc');
  writeFileSync(userconfig, npmrcFor(registryUrl));
  const globalconfig = join(home, 'global-npmrc');
  writeFileSync(globalconfig, '');
  const inherited = Object.entries(process.env).filter(([key]) => !/^(npm_|vitest|node_env$|test$|pnpm_)/i.test(key));
  const path = [dirname(process.execPath), ...(process.env['PATH'] ?? '').split(delimiter).filter((entry) => !entry.includes('node_modules'))].join(delimiter);
  const env: NodeJS.ProcessEnv = {
    ...Object.fromEntries(inherited),
    PATH: path,
    HOME: home,
    CI: 'true',
    npm_config_userconfig: userconfig,
    npm_config_globalconfig: globalconfig,
    npm_config_cache: join(home, 'npm-cache'),
    npm_config_registry: registryUrl,
  };
  return {
    emptyFolder(prefix) {
      const folder = mkdtempSync(join(home, `${prefix}-`));
      writeFileSync(join(folder, '.npmrc'), npmrcFor(registryUrl));
      return folder;
    },
    run(cwd, command, args) {
      const result = spawnSync(command, args, { cwd, encoding: 'utf8', env, timeout: 240_000 });
      const stdout = result.stdout ?? '';
      const stderr = result.stderr ?? '';
      return { status: result.status, stdout, stderr, transcript: `$ ${command} ${args.join(' ')} (in ${cwd})\n${stdout}\n${stderr}\n${result.error ?? ''}` };
    },
  };
}

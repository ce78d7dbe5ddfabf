import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** Linux's limit on symbolic links followed while resolving one path. */
const MAX_LINK_HOPS = 40;

/** Nothing there: no such entry, or a file where a folder would be (`a.md/b.md`). */
function missing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Where `path` really is, every symbolic link followed, also where the path does not exist
 * (yet): a missing tail is kept as written, and a dangling link is followed to the place a write
 * would create. `realpath` alone cannot tell that `ws/dangling.md → /outside/new.md` leads out.
 * @throws Error with code ELOOP after {@link MAX_LINK_HOPS} links, and any other lookup error
 */
export function realLocation(path: string): string {
  let hops = 0;
  const walk = (p: string): string => {
    try {
      return realpathSync.native(p);
    } catch (error) {
      if (!missing(error)) throw error;
    }
    let link = false;
    try {
      link = lstatSync(p).isSymbolicLink();
    } catch (error) {
      if (!missing(error)) throw error;
    }
    if (link) {
      hops += 1;
      if (hops > MAX_LINK_HOPS) throw Object.assign(new Error(`too many symbolic links in '${path}'`), { code: 'ELOOP' });
      return walk(resolve(dirname(p), readlinkSync(p)));
    }
    const parent = dirname(p);
    return parent === p ? p : join(walk(parent), basename(p));
  };
  return walk(resolve(path));
}

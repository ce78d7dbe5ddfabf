import type { FileMetadata, WorkspaceFileSystem } from '@diaryx/host-fns';
import type { IFs } from 'memfs';

/**
 * The fake host's workspace: a {@link WorkspaceFileSystem} over a memfs volume, with the
 * workspace at the volume's `/` (so workspace-relative `notes/a.md` is `/notes/a.md` in the
 * volume). `root` is the absolute location the workspace claims to have (what plugins get as
 * `workspace_root`): guest paths under it are served as the matching relative paths.
 */
export function memfsWorkspace(fs: IFs, root?: string): WorkspaceFileSystem {
  const at = (path: string) => `/${path}`;
  const statOrNull = (path: string) => {
    try {
      return fs.statSync(at(path));
    } catch {
      return null;
    }
  };
  return {
    ...(root === undefined ? {} : { root }),
    readBinary: (path) => new Uint8Array(fs.readFileSync(at(path)) as Buffer),
    writeBinary(path, bytes) {
      const full = at(path);
      fs.mkdirSync(full.slice(0, full.lastIndexOf('/')) || '/', { recursive: true });
      fs.writeFileSync(full, bytes);
    },
    deleteFile(path) {
      if (statOrNull(path)?.isDirectory()) throw new Error(`'${path}' is a directory`);
      fs.unlinkSync(at(path));
    },
    exists: (path) => statOrNull(path) !== null,
    isDir: (path) => statOrNull(path)?.isDirectory() ?? false,
    readDir: (path) => (fs.readdirSync(at(path)) as string[]).map(String),
    metadata(path): FileMetadata | null {
      const info = statOrNull(path);
      return info === null ? null : { modifiedAtMs: Math.trunc(Number(info.mtimeMs)), sizeBytes: Number(info.size) };
    },
  };
}

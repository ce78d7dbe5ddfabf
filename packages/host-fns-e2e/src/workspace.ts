import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { nodeWorkspaceFs, type WorkspaceFileSystem } from '@diaryx/host-fns';
import { makeTempDir } from '@diaryx/test-utils';

/** A workspace folder on disk with these files, and its file system service. */
export async function diskWorkspace(files: Record<string, string | Uint8Array>): Promise<{ root: string; fs: WorkspaceFileSystem }> {
  const root = await makeTempDir('diaryx-ws-');
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return { root, fs: nodeWorkspaceFs(root) };
}

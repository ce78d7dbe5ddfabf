import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, type Stats, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** Why the project files cannot be written (a message for a person, naming the path and the fix). */
export class ProjectWriteError extends Error {
  override readonly name = 'ProjectWriteError';
}

/** An existing file that was moved aside before its place was written. */
export interface BackedUpFile {
  /** The project file, relative to the folder. */
  file: string;
  /** Where the old one now is, relative to the folder: `<file>.bak`, or `.bak.1`, `.bak.2`, … when taken. */
  keptAs: string;
}

const lstatOrNull = (path: string): Stats | null => {
  try {
    return lstatSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw error;
  }
};

/** The message of a file-system error, without Node's `ERRNO: …, syscall 'path'` tail when it has a code. */
function reason(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOSPC') return 'the disk is full';
  if (code === 'EROFS') return 'the file system is read-only';
  return message;
}

/** Runs a file-system step; any failure becomes a {@link ProjectWriteError} naming `what`. */
function step<T>(what: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof ProjectWriteError) throw error;
    throw new ProjectWriteError(`Could not ${what}: ${reason(error)}.`, { cause: error });
  }
}

const linkRefused = (path: string) =>
  new ProjectWriteError(`${path} is a symbolic link; the scaffolder writes nothing through a link. Remove the link, or choose another folder.`);

/**
 * Checks the project folder: it, or the nearest folder above it that exists, must be a folder
 * (a link to one is fine: the user named it). Returns whether it exists and has entries.
 * @throws ProjectWriteError
 */
export function projectFolderState(directory: string): { exists: boolean; empty: boolean } {
  let path = directory;
  for (;;) {
    const info = step(`look at ${path}`, () => {
      try {
        return statSync(path);
      } catch (error) {
        // ENOTDIR: a file on the way, found further up.
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return null;
        throw error;
      }
    });
    if (info !== null && !info.isDirectory()) {
      const fix = path === directory ? 'Choose another folder for the project, or move the file away.' : 'Choose another folder for the project.';
      throw new ProjectWriteError(`${path} is a file, not a folder. ${fix}`);
    }
    if (info !== null) break;
    if (dirname(path) === path) break;
    path = dirname(path);
  }
  if (path !== directory) return { exists: false, empty: true };
  return { exists: true, empty: step(`read the folder ${directory}`, () => readdirSync(directory)).length === 0 };
}

interface PlannedFile {
  path: string;
  target: string;
  content: string;
  /** What is there now: nothing, the same content (left alone), or something to move aside. */
  existing: 'none' | 'same' | 'other';
}

/**
 * Every check before the first write: no component of a file's path inside the project folder
 * may be a symbolic link (a link to a folder elsewhere, or a dangling one, would take the write
 * there), and every folder on the way must be a folder.
 */
function plan(directory: string, files: Record<string, string>): PlannedFile[] {
  return Object.entries(files).map(([path, content]) => {
    const parts = path.split('/');
    let current = directory;
    for (const [index, part] of parts.entries()) {
      current = join(current, part);
      const info = step(`look at ${current}`, () => lstatOrNull(current));
      if (info === null) break;
      if (info.isSymbolicLink()) throw linkRefused(current);
      if (index < parts.length - 1 && !info.isDirectory()) {
        throw new ProjectWriteError(`${current} is a file, but the project needs a folder there (for ${path}). Move the file away and run again.`);
      }
    }
    const target = join(directory, ...parts);
    const info = step(`look at ${target}`, () => lstatOrNull(target));
    let existing: PlannedFile['existing'] = 'none';
    if (info !== null) existing = info.isFile() && step(`read ${target}`, () => readFileSync(target, 'utf8')) === content ? 'same' : 'other';
    return { path, target, content, existing };
  });
}

/** `<target>.bak`, else `.bak.1`, `.bak.2`, …: the first name nothing (not even a link) has. */
function freeBackupName(target: string): string {
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? `${target}.bak` : `${target}.bak.${n}`;
    if (step(`look at ${candidate}`, () => lstatOrNull(candidate)) === null) return candidate;
  }
}

/**
 * Writes the project's files into `directory` (created when missing). A file that already holds
 * the content is left alone; any other one (or a folder) in a file's place is first moved to a
 * free backup name, so nothing is overwritten. Nothing is written through a symbolic link, and
 * every check runs before the first write. Each file is created exclusively (it fails rather
 * than follow a link that appears meanwhile).
 * @throws ProjectWriteError for a link, a file where a folder is needed, or any file-system failure
 */
export function writeProjectFiles(directory: string, files: Record<string, string>): BackedUpFile[] {
  const planned = plan(directory, files);
  const backups: BackedUpFile[] = [];
  step(`create the folder ${directory}`, () => mkdirSync(directory, { recursive: true }));
  for (const file of planned) {
    if (file.existing === 'same') continue;
    const parent = dirname(file.target);
    step(`create the folder ${parent}`, () => mkdirSync(parent, { recursive: true }));
    if (file.existing === 'other') {
      const keptAs = freeBackupName(file.target);
      step(`move ${file.target} to ${keptAs}`, () => renameSync(file.target, keptAs));
      backups.push({ file: file.path, keptAs: relative(directory, keptAs).split(sep).join('/') });
    }
    step(`write ${file.target}`, () => writeFileSync(file.target, file.content, { flag: 'wx' }));
  }
  return backups;
}

/** A file-system error saying that the path is not there (any more): ENOENT, or ENOTDIR for a folder on the way that became a file. */
export function isMissingFileError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * The points of a plugin folder's load where the loader reads a file that another process (a
 * second host on the same workspace: the app and `diaryx-plugin dev`, two windows) may move,
 * replace or remove between the scan and the read. Internal: tests put a hook here to remove a
 * file at one exact step instead of relying on timing.
 */
export type LoadRacePoint =
  /** The folder was found by the scan; nothing of it read yet. */
  | 'scanned'
  /** `manifest.json` was found fresh; about to be read. */
  | 'manifest-read'
  /** About to read `config.json`. */
  | 'config-read'
  /** `config.json` was read and is corrupt; about to be moved aside. */
  | 'config-move-aside'
  /** About to read `plugin.wasm`. */
  | 'wasm-read';

type RaceHook = (point: LoadRacePoint, path: string) => void | Promise<void>;

let hook: RaceHook | null = null;

/** Tests only: runs `next` at every {@link LoadRacePoint} (null removes it). Not exported by the package. */
export function setLoadRaceHook(next: RaceHook | null): void {
  hook = next;
}

/** Lets a test's hook act at this point of the load; nothing happens without one. */
export async function loadRacePoint(point: LoadRacePoint, path: string): Promise<void> {
  if (hook !== null) await hook(point, path);
}

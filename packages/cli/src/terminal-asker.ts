// The Rust CLI's terminal wrapper of the permission checker (PROTOCOL §6.3), on the kit's
// askingChecker: a permission the rules leave open is asked once per plugin and key.
import { createInterface } from 'node:readline/promises';
import type { PermissionAsker, PermissionKey, PermissionQuestion } from '@diaryx/host-fns';
import { terminalSafe } from './terminal-text.js';

/** The UI labels of the permission keys (PROTOCOL §6.1). */
const LABELS: Record<PermissionKey, string> = {
  read_files: 'read files',
  edit_files: 'edit files',
  create_files: 'create files',
  delete_files: 'delete files',
  move_files: 'move files',
  http_requests: 'make HTTP requests',
  execute_commands: 'execute commands',
  plugin_storage: 'use plugin storage',
};

/** The question put to the user. */
export function permissionQuestion({ pluginId, permission, target }: PermissionQuestion): string {
  return `? allow plugin '${terminalSafe(pluginId)}' to ${LABELS[permission]} (it asked for '${terminalSafe(target)}'; the answer holds for this session) [y/N] `;
}

/** True for an answer that says yes. */
export const isYes = (answer: string): boolean => /^\s*y(es)?\s*$/i.test(answer);

/**
 * Asks on the process's terminal; null when stdin or stdout is not one (then nothing is asked
 * and the permission is refused, as in the Rust CLI).
 */
export function stdinAsker(): PermissionAsker | null {
  if (process.stdin.isTTY !== true || process.stdout.isTTY !== true) return null;
  return async (question) => {
    const terminal = createInterface({ input: process.stdin, output: process.stdout });
    try {
      return isYes(await terminal.question(permissionQuestion(question)));
    } finally {
      terminal.close();
    }
  };
}

// Note stats 1.0.1: the fix of docs/bug-report-to-test.md.
import { noteStatsPlugin } from './note-stats-plugin.js';

// #region fix
// …and line breaks, tabs and other white space, not only spaces.
const countWords = (text: string): number => text.split(/\s+/u).filter((word) => word !== '').length;
// #endregion fix

export const { manifest, handle_command } = noteStatsPlugin('1.0.1', countWords);

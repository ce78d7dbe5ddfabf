// Note stats 1.0.0, as shipped: the bug of docs/bug-report-to-test.md.
import { noteStatsPlugin } from './note-stats-plugin.js';

// #region bug
// Words are what the spaces separate…
const countWords = (text: string): number => text.split(' ').filter((word) => word !== '').length;
// #endregion bug

export const { manifest, handle_command } = noteStatsPlugin('1.0.0', countWords);

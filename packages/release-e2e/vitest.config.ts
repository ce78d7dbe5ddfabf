import { diaryxProject } from '../../vitest.shared.js';

// The rehearsal runs one step after another (each needs the registry the first one fills).
export default diaryxProject('@diaryx/release-e2e', { testTimeout: 300_000, hookTimeout: 300_000 });

import { diaryxProject } from '../../vitest.shared.js';

export default diaryxProject('@diaryx/browser-e2e');

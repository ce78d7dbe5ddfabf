import { diaryxProject } from '../../vitest.shared.js';

export default diaryxProject('@diaryx/watch');

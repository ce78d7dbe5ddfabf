import { diaryxProject } from '../../vitest.shared.js';

export default diaryxProject('@diaryx/host-fns-e2e');

import { diaryxProject } from '../../vitest.shared.js';

export default diaryxProject('@diaryx/plugin-sdk-as');

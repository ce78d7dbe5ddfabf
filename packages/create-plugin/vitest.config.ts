import { diaryxProject } from '../../vitest.shared.js';

export default diaryxProject('create-diaryx-plugin');

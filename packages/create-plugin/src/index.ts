export { pluginIdProblem } from './plugin-id.js';

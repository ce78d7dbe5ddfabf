export { type CheckResult, type ConformanceOptions, runConformance } from './conformance.js';
export { type InspectReport, inspectPlugin } from './inspect.js';
export { type ModuleInfo, moduleInfo, resolveWasmPath } from './module-info.js';
export { parseAllow, runCommand, type RunResult } from './run-command.js';

/**
 * `@diaryx/watch`: the watch loop both Diaryx plugin build commands use (`diaryx-js build
 * --watch`, `diaryx-as build --watch`) and the rebuild queue of `diaryx-plugin dev`.
 * @packageDocumentation
 */
export { type SerialRuns, serialRuns } from './serial-runs.js';
export { type BuildOutcome, type BuildReport, type BuildWatcher, watchBuilds, type WatchBuildsOptions } from './watch-builds.js';

export {
  createFakeHost,
  type FakeEvent,
  type FakeHost,
  type FakeHostOptions,
  type FakeLogLine,
  type FakePluginCommand,
} from './fake-host.js';
export { FakeHttp, type FakeHttpResponse, type FakeHttpRoutes, type RecordedHttpRequest } from './fake-http.js';
export { FakeNamespaces, type FakeNamespaceObject } from './fake-namespaces.js';
export { memfsWorkspace } from './memfs-workspace.js';
export { RecordingStorage, type StorageOp } from './recording-storage.js';
export { DEFAULT_TEST_TIMEOUT_MS, loadTestPlugin, type LoadTestPluginOptions, type TestPluginMode } from './load-test-plugin.js';
export { DEFAULT_WORKSPACE_ROOT } from './workspace-root.js';
export { replayTrace, type ReplayedCall, type ReplayOptions, type ReplayResult } from './replay/replay-trace.js';
export { describeReplay, replayReportLines } from './replay/replay-report.js';
export { type TraceDivergence, type TraceDivergenceKind } from './replay/divergence.js';
export { parseTrace, type PluginTrace, TraceFormatError } from '@diaryx/loader';

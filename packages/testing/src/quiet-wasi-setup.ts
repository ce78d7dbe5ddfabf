// A Vitest setup file (diaryxBuild() adds it): runs in each test worker before the test file's
// imports, so Node's "ExperimentalWarning: WASI is an experimental feature" (printed when the
// Extism SDK loads node:wasi, once per test file) is not printed. Other warnings still are.
import { quietWasiWarning } from '@diaryx/loader/quiet-wasi-warning';

quietWasiWarning();

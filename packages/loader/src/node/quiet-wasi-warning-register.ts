// `import '@diaryx/loader/quiet-wasi-warning/register'` as a program's first import (or
// `node --import @diaryx/loader/quiet-wasi-warning/register app.js`): Node's WASI
// ExperimentalWarning is dropped from then on, so static imports of `@diaryx/loader` after it
// print nothing. Modules are evaluated in the order they are imported, this one first.
import { quietWasiWarning } from './quiet-wasi-warning.js';

quietWasiWarning();

// `import '@diaryx/loader/quiet-wasi-warning/register'` (or
// `node --import @diaryx/loader/quiet-wasi-warning/register app.js`): Node's WASI
// ExperimentalWarning is dropped from then on (the loader loads the SDK, and Node `node:wasi`,
// only when the first plugin starts).
import { quietWasiWarning } from './quiet-wasi-warning.js';

quietWasiWarning();

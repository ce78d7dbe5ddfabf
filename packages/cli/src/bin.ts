#!/usr/bin/env node
// The diaryx-plugin command. Node's WASI ExperimentalWarning (printed when the Extism SDK loads
// node:wasi) is dropped before the CLI, and so the SDK, is loaded; every other warning prints.
import { quietWasiWarning } from '@diaryx/loader/quiet-wasi-warning';

quietWasiWarning();
await import('./cli.js');

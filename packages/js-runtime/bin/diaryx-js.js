#!/usr/bin/env node
// A stable bin path (exists before the build, so package managers can link it). Node's WASI
// ExperimentalWarning (printed when the build's manifest check loads the loader, and with it
// node:wasi) is dropped before the CLI is loaded; every other warning prints.
import { quietWasiWarning } from '@diaryx/loader/quiet-wasi-warning';

quietWasiWarning();
await import('../dist/cli.js');

import { fileURLToPath } from 'node:url';
import { wordCountSuite } from './suite.js';

wordCountSuite('word-count example (AssemblyScript)', fileURLToPath(new URL('../build/plugin.wasm', import.meta.url)));

import { fileURLToPath } from 'node:url';
import { wordCountSuite } from '@diaryx-examples/word-count/suite';

wordCountSuite('word-count example (TypeScript on @diaryx/js-runtime)', fileURLToPath(new URL('../build/plugin.wasm', import.meta.url)));

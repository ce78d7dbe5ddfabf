import type { PluginAnswers } from '../answers.js';
import type { KitPackages } from '../package-specs.js';
import { CLI_SCRIPTS, GITIGNORE, installSection, packageJson, requested, VITEST_CONFIG } from './shared.js';
import { mistakesFixture, mistakesTest, pluginTest, type TestLanguage, watchScript, watchTest } from './tests.js';

const TS: TestLanguage = {
  sourceDir: 'src',
  buildPackage: '@diaryx/js-runtime',
  buildBin: 'diaryx-js',
  watchArgs: ['build', 'src/index.ts', '-o', 'plugin.wasm', '--watch'],
};

function source(answers: PluginAnswers): string {
  const readsFiles = answers.permissions.includes('read_files');
  const defaults = Object.fromEntries(requested(answers).map(([key]) => [key, { include: ['all'], exclude: [] }]));
  const reasons = Object.fromEntries(requested(answers));
  const manifest = {
    id: answers.id,
    name: answers.name,
    version: '0.1.0',
    description: answers.description,
    // definePlugin adds custom_commands and the command names from `commands` below.
    capabilities: [],
    min_app_version: '1.4.0',
    ...(requested(answers).length > 0 ? { requested_permissions: { defaults, reasons } } : {}),
  };
  const body = JSON.stringify(manifest, null, 2).replace(/\n/g, '\n  ');
  const commandTypes = ['hello: { name: string }', 'weekday: { date: string }', ...(readsFiles ? ["'count-words': { path: string }"] : [])];
  return `import { CommandError, definePlugin${readsFiles ? ', readFile' : ''} } from '@diaryx/js-runtime/sdk';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** The weekday of a \`YYYY-MM-DD\` date. Anything else throws: the call fails with this line in its stack. */
function weekdayOf(date: string): string {
  const match = /^(\\d{4})-(\\d{2})-(\\d{2})$/.exec(date);
  if (!match) throw new Error(\`not a date: \${date}\`);
  return WEEKDAYS[new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))).getUTCDay()]!;
}

/** Each command's params: a typo in a command's name or a param is a type error. */
interface Commands {
  ${commandTypes.join(';\n  ')};
}

// definePlugin turns one object into the exports Diaryx calls. A command's return value is the
// response's data (an async handler works too); a thrown CommandError answers success: false.
export const { manifest, handle_command, on_event, init, set_config, get_config } = definePlugin<Commands>({
  manifest: ${body},
  commands: {
    hello: (params) => ({ greeting: \`Hello, \${params.name || 'Diaryx'}!\` }),
    weekday: (params) => {
      if (!params.date) throw new CommandError('weekday needs a date: {"date": "YYYY-MM-DD"}');
      return { weekday: weekdayOf(params.date) };
    },${
      readsFiles
        ? `
    'count-words': (params) => {
      const file = readFile(params.path ?? '');
      if (!file.ok) throw new CommandError(file.error);
      return { words: file.value.split(/\\s+/).filter((w) => w !== '').length };
    },`
        : ''
    }
  },
});
`;
}

/** The plugin's own code: no Node, only what the runtime has (its globals). */
const TSCONFIG = `{
  "compilerOptions": {
    "target": "ES2022",
    "lib": ["ES2023"],
    "module": "ESNext",
    "moduleResolution": "Bundler",
    "types": ["@diaryx/js-runtime/globals"],
    "strict": true,
    "noEmit": true,
    "skipLibCheck": true
  },
  "include": ["src"]
}
`;

/** The tests run in Node: the same strictness with Node's types, so a wrong option of loadTestPlugin or a misspelt field of a response is a type error. */
const TEST_TSCONFIG = `{
  "extends": "../tsconfig.json",
  "compilerOptions": {
    "types": ["node", "@diaryx/js-runtime/globals"]
  },
  "include": [".", "../vitest.config.ts"]
}
`;

/**
 * The files of the default template: TypeScript on `@diaryx/js-runtime` (QuickJS compiled to
 * wasm), built by `diaryx-js build` with npm alone.
 */
export function tsTemplate(answers: PluginAnswers, kit: KitPackages): Record<string, string> {
  return {
    'package.json': packageJson(answers, kit, {
      scripts: {
        build: 'diaryx-js build src/index.ts -o plugin.wasm',
        'build:watch': watchScript(TS),
        // The plugin (src, no Node) and the tests (test/, in Node), each with its tsconfig.
        typecheck: 'tsc && tsc -p test',
        test: 'vitest run',
        'test:watch': 'vitest',
        ...CLI_SCRIPTS,
      },
      dependencies: {},
      devDependencies: {
        '@diaryx/cli': kit.specifier('@diaryx/cli'),
        '@diaryx/js-runtime': kit.specifier('@diaryx/js-runtime'),
        '@diaryx/testing': kit.specifier('@diaryx/testing'),
        '@types/node': '20.19.43',
        typescript: '5.9.3',
        vitest: '4.1.12',
      },
    }),
    'src/index.ts': source(answers),
    'test/plugin.test.ts': pluginTest(answers, TS),
    'test/mistakes.test.ts': mistakesTest(TS),
    'test/fixtures/mistakes.ts': mistakesFixture(TS),
    'test/watch.test.ts': watchTest(TS),
    'tsconfig.json': TSCONFIG,
    'test/tsconfig.json': TEST_TSCONFIG,
    'vitest.config.ts': VITEST_CONFIG,
    '.gitignore': GITIGNORE,
    'README.md': `# ${answers.name}

${answers.description}

A [Diaryx](https://diaryx.org) plugin written in TypeScript on \`@diaryx/js-runtime\` (a JavaScript
engine compiled to WebAssembly: no compiler to install besides npm).

\`\`\`sh
npm install
npm run build   # → plugin.wasm (esbuild bundle, evaluated and snapshotted into the runtime)
npm test        # builds, then runs the real plugin.wasm through the real Diaryx loader with a fake host
npm run test:watch   # rebuilds on save and reruns the tests
\`\`\`

Edit \`src/index.ts\`: \`definePlugin\` takes the manifest (id \`${answers.id}\`, requested permissions
with their reasons, UI such as a settings tab: typed, so a field type that does not exist is a
type error) and one handler per command (sync or \`async\`), and makes the exports Diaryx calls.
\`@diaryx/js-runtime/sdk\` wraps
the host functions (\`readFile\`, \`writeFile\`, \`storageGet\`, \`emitEvent\`, \`httpRequest\`, …); the
globals of \`@extism/js-pdk\` (\`Host\`, \`Memory\`, \`Var\`, \`Config\`, \`Http\`) work as documented there.
Code at the top level of a module runs once, at build time. There is no event loop (no timers,
no \`fetch\`): use the host functions.

## The test loop

\`npm test\` builds plugin.wasm first (\`diaryxBuild()\` in \`vitest.config.ts\`), then runs \`test/\`
against it; \`npm run test:watch\` rebuilds on every save under \`src/\` and reruns the tests.
\`npm run build:watch\` only rebuilds (one line per build; a failed build keeps the last good
plugin.wasm). \`npm run typecheck\` checks the plugin (\`tsconfig.json\`: no Node) and the tests
(\`test/tsconfig.json\`: Node).

\`test/plugin.test.ts\` tests the demo commands: replace its tests with your plugin's as you replace
the demo. The other two do not depend on your plugin and show what a failure looks like:
\`test/mistakes.test.ts\` an endless loop stopped by the call's deadline and a permission missing
from the manifest (the fake host grants exactly what the manifest requests, as Diaryx does),
\`test/watch.test.ts\` \`npm run build:watch\` at work on a stand-in plugin. A failed test shows the
plugin's side under the failure: denied host calls with their advice, failed calls, the log.

${installSection(answers)}`,
  };
}

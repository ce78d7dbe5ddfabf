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
    capabilities: ['custom_commands'],
    commands: readsFiles ? ['hello', 'weekday', 'count-words'] : ['hello', 'weekday'],
    min_app_version: '1.4.0',
    ...(requested(answers).length > 0 ? { requested_permissions: { defaults, reasons } } : {}),
  };
  const body = JSON.stringify(manifest, null, 2).replace(/\n/g, '\n  ');
  return `import { commandRequest, err, ok, outputManifest${readsFiles ? ', readFile' : ''} } from '@diaryx/js-runtime/sdk';

export function manifest(): number {
  return outputManifest(${body});
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** The weekday of a \`YYYY-MM-DD\` date. Anything else throws: the call fails with this line in its stack. */
function weekdayOf(date: string): string {
  const match = /^(\\d{4})-(\\d{2})-(\\d{2})$/.exec(date);
  if (!match) throw new Error(\`not a date: \${date}\`);
  return WEEKDAYS[new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))).getUTCDay()]!;
}

export function handle_command(): number {
  const request = commandRequest<{ name?: string; date?: string; path?: string }>();
  if (request.command === 'hello') {
    return ok({ greeting: \`Hello, \${request.params?.name || 'Diaryx'}!\` });
  }
  if (request.command === 'weekday') {
    if (!request.params?.date) return err('weekday needs a date: {"date": "YYYY-MM-DD"}');
    return ok({ weekday: weekdayOf(request.params.date) });
  }${
    readsFiles
      ? `
  if (request.command === 'count-words') {
    const file = readFile(request.params?.path ?? '');
    if (!file.ok) return err(file.error);
    return ok({ words: file.value.split(/\\s+/).filter((w) => w !== '').length });
  }`
      : ''
  }
  return err(\`unknown command: \${request.command}\`);
}
`;
}

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
        typecheck: 'tsc',
        test: 'vitest run',
        'test:watch': 'vitest',
        ...CLI_SCRIPTS,
      },
      dependencies: {},
      devDependencies: {
        '@diaryx/cli': kit.specifier('@diaryx/cli'),
        '@diaryx/js-runtime': kit.specifier('@diaryx/js-runtime'),
        '@diaryx/testing': kit.specifier('@diaryx/testing'),
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

Edit \`src/index.ts\`: \`manifest\` declares the plugin (id \`${answers.id}\`, commands, requested
permissions with their reasons), \`handle_command\` answers commands. \`@diaryx/js-runtime/sdk\` wraps
the host functions (\`readFile\`, \`writeFile\`, \`storageGet\`, \`emitEvent\`, \`httpRequest\`, …); the
globals of \`@extism/js-pdk\` (\`Host\`, \`Memory\`, \`Var\`, \`Config\`, \`Http\`) work as documented there.
Code at the top level of a module runs once, at build time. There is no event loop (no timers,
no \`fetch\`): use the host functions.

## The test loop

\`npm test\` builds plugin.wasm first (\`diaryxBuild()\` in \`vitest.config.ts\`), then runs \`test/\`
against it; \`npm run test:watch\` rebuilds on every save under \`src/\` and reruns the tests.
\`npm run build:watch\` only rebuilds (one line per build; a failed build keeps the last good
plugin.wasm). The tests show what a failure looks like: \`test/plugin.test.ts\` a thrown error
pointing at its line in \`src/index.ts\`, \`test/mistakes.test.ts\` an endless loop stopped by the
call's deadline and a permission missing from the manifest (the fake host grants exactly what the
manifest requests, as Diaryx does), \`test/watch.test.ts\` \`npm run build:watch\` at work.

${installSection(answers)}`,
  };
}

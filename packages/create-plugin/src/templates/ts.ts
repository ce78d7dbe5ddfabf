import type { PluginAnswers } from '../answers.js';
import type { KitPackages } from '../package-specs.js';
import { CLI_SCRIPTS, GITIGNORE, installSection, packageJson, pluginTest, requested, VITEST_CONFIG } from './shared.js';

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
    commands: readsFiles ? ['hello', 'count-words'] : ['hello'],
    min_app_version: '1.4.0',
    ...(requested(answers).length > 0 ? { requested_permissions: { defaults, reasons } } : {}),
  };
  const body = JSON.stringify(manifest, null, 2).replace(/\n/g, '\n  ');
  return `import { commandRequest, err, ok, outputManifest${readsFiles ? ', readFile' : ''} } from '@diaryx/js-runtime/sdk';

export function manifest(): number {
  return outputManifest(${body});
}

export function handle_command(): number {
  const request = commandRequest<{ name?: string; path?: string }>();
  if (request.command === 'hello') {
    return ok({ greeting: \`Hello, \${request.params?.name || 'Diaryx'}!\` });
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
    'test/plugin.test.ts': pluginTest(answers),
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
npm test        # runs the real plugin.wasm through the real Diaryx loader with a fake host
\`\`\`

Edit \`src/index.ts\`: \`manifest\` declares the plugin (id \`${answers.id}\`, commands, requested
permissions with their reasons), \`handle_command\` answers commands. \`@diaryx/js-runtime/sdk\` wraps
the host functions (\`readFile\`, \`writeFile\`, \`storageGet\`, \`emitEvent\`, \`httpRequest\`, …); the
globals of \`@extism/js-pdk\` (\`Host\`, \`Memory\`, \`Var\`, \`Config\`, \`Http\`) work as documented there.
Code at the top level of a module runs once, at build time. There is no event loop (no timers,
no \`fetch\`): use the host functions.

${installSection(answers)}`,
  };
}

import type { PluginAnswers } from '../answers.js';
import type { KitPackages } from '../package-specs.js';
import { CLI_SCRIPTS, GITIGNORE, installSection, packageJson, requested } from './shared.js';

const BUILD_SCRIPT = `// Bundles src/index.ts with esbuild, then compiles it to plugin.wasm with the extism-js CLI.
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';

await build({ entryPoints: ['src/index.ts'], bundle: true, outfile: 'dist/index.js', format: 'cjs', target: 'es2020', platform: 'neutral' });

const probe = spawnSync('extism-js', ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  console.error(\`
extism-js was not found, so plugin.wasm was not built (dist/index.js is ready).

Install the Extism JS compiler, then run \\\`npm run build\\\` again:
  1. Download extism-js for your platform from the releases of github.com/extism/js-pdk
     (it also needs binaryen's wasm-merge and wasm-opt on your PATH).
  2. Put it on your PATH and check: extism-js --version
No compiler output is faked: without extism-js there is no plugin.wasm, and the tests that need it are skipped.
\`);
  process.exit(1);
}
const result = spawnSync('extism-js', ['dist/index.js', '-i', 'src/plugin.d.ts', '-o', 'plugin.wasm'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
`;

function source(answers: PluginAnswers): string {
  const permissions = Object.fromEntries(requested(answers).map(([key]) => [key, { include: ['all'], exclude: [] }]));
  const reasons = Object.fromEntries(requested(answers));
  const manifest = {
    protocol_version: 1,
    id: answers.id,
    name: answers.name,
    version: '0.1.0',
    description: answers.description,
    capabilities: ['custom_commands'],
    commands: ['hello'],
    min_app_version: '1.4.0',
    requested_permissions: { defaults: permissions, reasons },
  };
  return `// A Diaryx plugin in TypeScript on the Extism JS PDK. Host functions come from Host.getFunctions().
const MANIFEST = ${JSON.stringify(manifest, null, 2)};

interface CommandRequest {
  command: string;
  params: Record<string, unknown> | null;
}

/** Calls a Diaryx host function with JSON in and text out. */
function callHost(name: 'host_log' | 'host_read_file', input: unknown): string {
  const fn = Host.getFunctions()[name];
  const handle = Memory.fromString(JSON.stringify(input));
  const offset = fn(handle.offset);
  return offset === 0 || offset === 0n ? '' : Memory.find(offset).readString();
}

export function manifest(): I32 {
  Host.outputString(JSON.stringify(MANIFEST));
  return 0;
}

export function handle_command(): I32 {
  const request = JSON.parse(Host.inputString()) as CommandRequest;
  if (request.command === 'hello') {
    const who = typeof request.params?.['name'] === 'string' ? request.params['name'] : 'Diaryx';
    callHost('host_log', { level: 'info', message: \`hello \${who}\` });
    Host.outputString(JSON.stringify({ success: true, data: { greeting: \`Hello, \${who}!\` } }));
    return 0;
  }
  Host.outputString(JSON.stringify({ success: false, error: \`unknown command: \${request.command}\` }));
  return 0;
}
`;
}

const INTERFACE = `// The plugin's exports and the Diaryx host functions it imports, for the extism-js compiler.
declare module 'main' {
  export function manifest(): I32;
  export function handle_command(): I32;
}

declare module 'extism:host' {
  interface user {
    host_log(input: PTR): PTR;
    host_read_file(input: PTR): PTR;
  }
}
`;

function test(answers: PluginAnswers): string {
  return `import { existsSync } from 'node:fs';
import { loadTestPlugin } from '@diaryx/testing';
import { describe, expect, it } from 'vitest';

const wasm = new URL('../plugin.wasm', import.meta.url).pathname;

// plugin.wasm exists once \`npm run build\` found the extism-js compiler.
describe.skipIf(!existsSync(wasm))(${JSON.stringify(answers.name)}, () => {
  it('says hello', async () => {
    const { plugin } = await loadTestPlugin(wasm);
    expect(plugin.id).toBe(${JSON.stringify(answers.id)});
    expect(await plugin.handleCommand('hello', { name: 'Zoë' })).toEqual({ success: true, data: { greeting: 'Hello, Zoë!' } });
  });
});
`;
}

/** The files of the `js` template: TypeScript on `@extism/js-pdk`, compiled with extism-js. */
export function jsTemplate(answers: PluginAnswers, kit: KitPackages): Record<string, string> {
  return {
    'package.json': packageJson(answers, kit, {
      scripts: { build: 'node scripts/build.mjs', typecheck: 'tsc --noEmit', test: 'vitest run', ...CLI_SCRIPTS },
      dependencies: {},
      devDependencies: {
        '@diaryx/cli': kit.specifier('@diaryx/cli'),
        '@diaryx/testing': kit.specifier('@diaryx/testing'),
        '@extism/js-pdk': '1.1.1',
        esbuild: '0.28.2',
        typescript: '5.9.3',
        vitest: '4.1.12',
      },
    }),
    'src/index.ts': source(answers),
    'src/plugin.d.ts': INTERFACE,
    'scripts/build.mjs': BUILD_SCRIPT,
    'test/plugin.test.ts': test(answers),
    'tsconfig.json': `${JSON.stringify(
      {
        compilerOptions: { target: 'ES2020', module: 'ESNext', moduleResolution: 'Bundler', strict: true, noEmit: true, skipLibCheck: true, types: ['@extism/js-pdk'] },
        include: ['src'],
      },
      null,
      2,
    )}\n`,
    '.gitignore': GITIGNORE,
    'README.md': `# ${answers.name}

${answers.description}

A [Diaryx](https://diaryx.org) plugin in TypeScript on the Extism JS PDK (\`@extism/js-pdk\`).

\`\`\`sh
npm install
npm run build   # esbuild bundle, then extism-js → plugin.wasm
npm test
\`\`\`

The build needs the \`extism-js\` compiler on your PATH (it is not on npm). Without it the build
stops and says how to install it; no \`plugin.wasm\` is produced and the tests that need it are
skipped. Host functions are declared in \`src/plugin.d.ts\` and called through
\`Host.getFunctions()\`.

${installSection(answers)}`,
  };
}

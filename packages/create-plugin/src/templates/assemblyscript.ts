import type { PluginAnswers } from '../answers.js';
import type { KitPackages } from '../package-specs.js';
import { CLI_SCRIPTS, GITIGNORE, installSection, packageJson, pluginTest, requested, VITEST_CONFIG } from './shared.js';

const ABORT = '~lib/@diaryx/plugin-sdk-as/assembly/abort/abort';

function source(answers: PluginAnswers): string {
  const readsFiles = answers.permissions.includes('read_files');
  const permissionLines = requested(answers)
    .map(([key, reason]) => `    .requestPermission(${JSON.stringify(key)}, ${JSON.stringify(reason)})`)
    .join('\n');
  return `import { commandRequest, err, JsonObject, Manifest, ok${readsFiles ? ', readFile' : ''} } from "@diaryx/plugin-sdk-as";

export function manifest(): i32 {
  return new Manifest(${JSON.stringify(answers.id)}, ${JSON.stringify(answers.name)}, "0.1.0", ${JSON.stringify(answers.description)})
    .command("hello")${readsFiles ? '\n    .command("count-words")' : ''}
    .requiresApp("1.4.0")
${permissionLines ? `${permissionLines}\n` : ''}    .output();
}

export function handle_command(): i32 {
  const request = commandRequest();
  if (request.command == "hello") {
    const who = request.param("name");
    return ok(new JsonObject().str("greeting", "Hello, " + (who.length > 0 ? who : "Diaryx") + "!").toString());
  }${
    readsFiles
      ? `
  if (request.command == "count-words") {
    const file = readFile(request.param("path"));
    if (!file.ok) return err(file.error);
    const words = file.value.split(" ").filter((w: string) => w.trim().length > 0).length;
    return ok(new JsonObject().int("words", words).toString());
  }`
      : ''
  }
  return err("unknown command: " + request.command);
}
`;
}

/** The files of the `assemblyscript` template: AssemblyScript with `@diaryx/plugin-sdk-as`. */
export function assemblyscriptTemplate(answers: PluginAnswers, kit: KitPackages): Record<string, string> {
  return {
    'package.json': packageJson(answers, kit, {
      scripts: {
        build: `asc assembly/index.ts --outFile plugin.wasm --use abort=${ABORT} -O3`,
        test: 'vitest run',
        'test:watch': 'vitest',
        ...CLI_SCRIPTS,
      },
      dependencies: { '@diaryx/plugin-sdk-as': kit.specifier('@diaryx/plugin-sdk-as') },
      devDependencies: {
        '@diaryx/cli': kit.specifier('@diaryx/cli'),
        '@diaryx/testing': kit.specifier('@diaryx/testing'),
        assemblyscript: '0.28.20',
        vitest: '4.1.12',
      },
    }),
    'assembly/index.ts': source(answers),
    'test/plugin.test.ts': pluginTest(answers),
    'vitest.config.ts': VITEST_CONFIG,
    '.gitignore': GITIGNORE,
    'README.md': `# ${answers.name}

${answers.description}

A [Diaryx](https://diaryx.org) plugin written in AssemblyScript with \`@diaryx/plugin-sdk-as\`.

\`\`\`sh
npm install
npm run build   # → plugin.wasm
npm test        # runs the real plugin.wasm through the real Diaryx loader with a fake host
\`\`\`

Edit \`assembly/index.ts\`: \`manifest\` declares the plugin (id \`${answers.id}\`, commands, requested
permissions with their reasons), \`handle_command\` answers commands. Tests in \`test/\` use
\`@diaryx/testing\` (files, storage, HTTP routes, a fixed clock, and a trace of every host call).

${installSection(answers)}`,
  };
}

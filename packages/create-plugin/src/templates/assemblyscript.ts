import type { PluginAnswers } from '../answers.js';
import type { KitPackages } from '../package-specs.js';
import { CLI_SCRIPTS, GITIGNORE, installSection, packageJson, requested, VITEST_CONFIG } from './shared.js';
import { mistakesFixture, mistakesTest, pluginTest, type TestLanguage, watchScript, watchTest } from './tests.js';

const ABORT = '~lib/@diaryx/plugin-sdk-as/assembly/abort/abort';
/**
 * The compiler's arguments (diaryx-as runs asc with them, in-process), the same for `npm run build`
 * and `npm run build:watch`, so the tests of a watch run test the binary a build ships: optimized
 * (-O3), with the function names kept (--debug: a name section, ~15% of a small plugin), so a
 * call stopped by its deadline names the function it was in.
 */
const ASC_ARGS = ['assembly/index.ts', '--outFile', 'plugin.wasm', '--use', `abort=${ABORT}`, '-O3', '--debug'];

const AS: TestLanguage = {
  sourceDir: 'assembly',
  buildPackage: '@diaryx/plugin-sdk-as',
  buildBin: 'diaryx-as',
  watchArgs: ['build', '--watch', ...ASC_ARGS],
};

function source(answers: PluginAnswers): string {
  const readsFiles = answers.permissions.includes('read_files');
  const permissionLines = requested(answers)
    .map(([key, reason]) => `    .requestPermission(${JSON.stringify(key)}, ${JSON.stringify(reason)})`)
    .join('\n');
  return `import { commandRequest, err, JsonObject, Manifest, ok${readsFiles ? ', readFile' : ''} } from "@diaryx/plugin-sdk-as";

export function manifest(): i32 {
  return new Manifest(${JSON.stringify(answers.id)}, ${JSON.stringify(answers.name)}, "0.1.0", ${JSON.stringify(answers.description)})
    .command("hello")
    .command("weekday")${readsFiles ? '\n    .command("count-words")' : ''}
    .requiresApp("1.4.0")
${permissionLines ? `${permissionLines}\n` : ''}    .output();
}

const WEEKDAYS: string[] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTH_OFFSETS: i32[] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];

/** The number in \`digits\` (ASCII digits only), or -1. */
function number(digits: string): i32 {
  let value = 0;
  for (let i = 0; i < digits.length; i++) {
    const code = digits.charCodeAt(i);
    if (code < 48 || code > 57) return -1;
    value = value * 10 + (code - 48);
  }
  return value;
}

/** The weekday of a \`YYYY-MM-DD\` date. Anything else throws: the call fails with the message, file and line. */
function weekdayOf(date: string): string {
  const parts = date.split("-");
  const valid = parts.length == 3 && parts[0].length == 4 && parts[1].length == 2 && parts[2].length == 2;
  const month = valid ? number(parts[1]) : -1;
  const day = valid ? number(parts[2]) : -1;
  let year = valid ? number(parts[0]) : -1;
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31) throw new Error("not a date: " + date);
  if (month < 3) year -= 1;
  return WEEKDAYS[(year + year / 4 - year / 100 + year / 400 + MONTH_OFFSETS[month - 1] + day) % 7];
}

export function handle_command(): i32 {
  const request = commandRequest();
  if (request.command == "hello") {
    const who = request.param("name");
    return ok(new JsonObject().str("greeting", "Hello, " + (who.length > 0 ? who : "Diaryx") + "!").toString());
  }
  if (request.command == "weekday") {
    const date = request.param("date");
    if (date.length == 0) return err('weekday needs a date: {"date": "YYYY-MM-DD"}');
    return ok(new JsonObject().str("weekday", weekdayOf(date)).toString());
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
        build: ['diaryx-as', 'build', ...ASC_ARGS].join(' '),
        'build:watch': watchScript(AS),
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
    'test/plugin.test.ts': pluginTest(answers, AS),
    'test/mistakes.test.ts': mistakesTest(AS),
    'test/fixtures/mistakes.ts': mistakesFixture(AS),
    'test/watch.test.ts': watchTest(AS),
    'vitest.config.ts': VITEST_CONFIG,
    '.gitignore': GITIGNORE,
    'README.md': `# ${answers.name}

${answers.description}

A [Diaryx](https://diaryx.org) plugin written in AssemblyScript with \`@diaryx/plugin-sdk-as\`.

\`\`\`sh
npm install
npm run build   # → plugin.wasm
npm test        # builds, then runs the real plugin.wasm through the real Diaryx loader with a fake host
npm run test:watch   # rebuilds on save and reruns the tests
\`\`\`

Edit \`assembly/index.ts\`: \`manifest\` declares the plugin (id \`${answers.id}\`, commands, requested
permissions with their reasons), \`handle_command\` answers commands. Tests in \`test/\` use
\`@diaryx/testing\` (files, storage, HTTP routes, a fixed clock, and a trace of every host call).

## The test loop

\`npm test\` builds plugin.wasm first (\`diaryxBuild()\` in \`vitest.config.ts\`), then runs \`test/\`
against it; \`npm run test:watch\` rebuilds on every save under \`assembly/\` and reruns the tests.
\`npm run build:watch\` only rebuilds (one line per build; a failed build keeps the last good
plugin.wasm; the same compiler arguments as \`npm run build\`, so the tests see the plugin you ship).
\`test/plugin.test.ts\` tests the demo commands: replace its tests with your plugin's as you replace
the demo. The other two do not depend on your plugin and show what a failure looks like:
\`test/mistakes.test.ts\` an endless loop stopped by the call's deadline (named by its function:
the build keeps the names) and a permission missing from the manifest (the fake host grants
exactly what the manifest requests, as Diaryx does), \`test/watch.test.ts\` \`npm run build:watch\`
at work on a stand-in plugin. A failed test shows the plugin's side under the failure.

${installSection(answers)}`,
  };
}

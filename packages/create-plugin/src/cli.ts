#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { parseArgs } from 'node:util';
import * as p from '@clack/prompts';
import {
  idFromName,
  PERMISSION_REASONS,
  type PluginAnswers,
  type RequestablePermission,
  TEMPLATES,
  type TemplateName,
  titleFromFolder,
} from './answers.js';
import { localKitPackages, publishedKitPackages } from './package-specs.js';
import { pluginIdProblem } from './plugin-id.js';
import { scaffold, ScaffoldError } from './scaffold.js';

const HELP = `Usage: npm create diaryx-plugin@latest [folder] -- [options]

Creates a Diaryx plugin project. Asks for what is missing unless --yes is given
(or there is no terminal), then prints the commands to build and test it.

Options:
  --name <text>           display name (default: from the folder)
  --id <id>               plugin id, e.g. com.example.my-plugin
  --description <text>    one line about what it does
  --template <name>       ts (default: TypeScript, builds with npm alone), assemblyscript,
                          or js (TypeScript for the extism-js compiler, which npm cannot install)
  --permissions <list>    comma-separated: ${Object.keys(PERMISSION_REASONS).join(', ')} (default: read_files)
  --force                 write into a folder that is not empty (existing files kept as .bak, .bak.1, …)
  --kit-packages <dir>    use kit packages packed from a checkout (pnpm pack) instead of published ones
                          (also DIARYX_KIT_PACKAGES)
  -y, --yes               accept defaults for everything not given
  -h, --help              show this help
`;

function fail(message: string): never {
  console.error(`\n${message}\n`);
  process.exit(1);
}

function parsePermissions(text: string): RequestablePermission[] {
  const list = text.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = list.filter((key) => !(key in PERMISSION_REASONS));
  if (unknown.length > 0) fail(`Unknown permission ${unknown.join(', ')}. Choose from: ${Object.keys(PERMISSION_REASONS).join(', ')}.`);
  return list as RequestablePermission[];
}

function cancelled<T>(value: T): Exclude<T, symbol> {
  if (p.isCancel(value) || typeof value === 'symbol') {
    p.cancel('Cancelled; nothing was written.');
    process.exit(1);
  }
  return value as Exclude<T, symbol>;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      id: { type: 'string' },
      description: { type: 'string' },
      template: { type: 'string' },
      permissions: { type: 'string' },
      force: { type: 'boolean', default: false },
      'kit-packages': { type: 'string' },
      yes: { type: 'boolean', short: 'y', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const interactive = !values.yes && process.stdin.isTTY === true && process.stdout.isTTY === true;
  if (values.template !== undefined && !(TEMPLATES as readonly string[]).includes(values.template)) {
    fail(`Unknown template "${values.template}". Choose one of: ${TEMPLATES.join(', ')}.`);
  }
  if (values.id !== undefined && pluginIdProblem(values.id)) fail(`Invalid --id: ${pluginIdProblem(values.id)}`);
  if (interactive) p.intro('create-diaryx-plugin');

  const directory =
    positionals[0] ??
    (interactive ? cancelled(await p.text({ message: 'Project folder', placeholder: 'my-plugin', defaultValue: 'my-plugin' })) : 'my-plugin');
  const defaultName = titleFromFolder(basename(directory));
  const name = values.name ?? (interactive ? cancelled(await p.text({ message: 'Plugin name', defaultValue: defaultName, placeholder: defaultName })) : defaultName);
  const defaultId = idFromName(name);
  const id =
    values.id ??
    (interactive
      ? cancelled(
          await p.text({
            message: 'Plugin id (reverse domain)',
            defaultValue: defaultId,
            placeholder: defaultId,
            validate: (v) => (v ? (pluginIdProblem(v) ?? undefined) : undefined),
          }),
        )
      : defaultId);
  const description =
    values.description ?? (interactive ? cancelled(await p.text({ message: 'Description', defaultValue: 'A Diaryx plugin', placeholder: 'A Diaryx plugin' })) : 'A Diaryx plugin');
  const template = (values.template ??
    (interactive
      ? cancelled(
          await p.select({
            message: 'Template',
            options: [
              { value: 'ts', label: 'TypeScript', hint: 'on @diaryx/js-runtime; builds with npm alone' },
              { value: 'assemblyscript', label: 'AssemblyScript', hint: 'builds with npm alone; smallest, fastest plugins' },
              { value: 'js', label: 'TypeScript for extism-js', hint: 'needs the extism-js compiler' },
            ],
          }),
        )
      : 'ts')) as TemplateName;
  const permissions =
    values.permissions !== undefined
      ? parsePermissions(values.permissions)
      : interactive
        ? (cancelled(
            await p.multiselect({
              message: 'Permissions to request (users grant them on install)',
              options: Object.entries(PERMISSION_REASONS).map(([value, hint]) => ({ value, label: value, hint })),
              initialValues: ['read_files'],
              required: false,
            }),
          ) as RequestablePermission[])
        : (['read_files'] as RequestablePermission[]);

  const answers: PluginAnswers = { directory, name, id, description, template, permissions };
  const kitDir = values['kit-packages'] ?? process.env['DIARYX_KIT_PACKAGES'];
  const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  const kit = kitDir ? localKitPackages(kitDir) : publishedKitPackages(version);
  try {
    const result = scaffold(answers, kit, { force: values.force });
    const where = relative(process.cwd(), result.directory) || '.';
    const steps = [`cd ${where}`, 'npm install', 'npm run build', 'npm test'];
    const backups = result.backups.length > 0 ? `\nKept your existing files: ${result.backups.map((b) => `${b.file} → ${b.keptAs}`).join(', ')}` : '';
    const dev = '\nThen try it on a real folder: npm run dev -- --workspace <folder of notes>';
    const extra = dev + (template === 'js' ? '\n(npm run build needs the extism-js compiler on your PATH; it says how to get it.)' : '');
    const message = `Created ${name} (${id}) in ${where} with the ${template} template.${backups}\n\nNext:\n  ${steps.join('\n  ')}${extra}`;
    if (interactive) p.outro(message);
    else console.log(message);
  } catch (error) {
    if (error instanceof ScaffoldError) fail(error.message);
    throw error;
  }
}

await main();

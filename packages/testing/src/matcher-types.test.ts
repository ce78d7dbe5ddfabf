// A plugin project's tests type-check against what @diaryx/testing publishes (its dist .d.ts):
// the matchers of @diaryx/testing/vitest are typed there, a misspelt matcher or option is a type
// error. (Its matchers once merged into vitest's Assertion: typed in this package's own tests, untyped
// in a plugin project, unnoticed while the template's tests were not type-checked.)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
// Inside the package, so `@diaryx/testing` resolves to itself through its exports (the built dist).
const dir = mkdtempSync(join(packageDir, '.types-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CONSUMER = `import { loadTestPlugin } from '@diaryx/testing';
import '@diaryx/testing/vitest';
import { expect } from 'vitest';

const { plugin, host } = await loadTestPlugin(new Uint8Array(), { files: { 'a.md': 'x' } });
expect(host).toHaveNoDeniedCalls();
expect(host).toHaveStored('index', { a: 1 });
expect(host).toHaveLogged('warn', /denied/);
expect(await plugin.handleCommand('x')).toMatchObject({ success: true });
// @ts-expect-error a matcher that does not exist
expect(host).toHaveDenied();
// @ts-expect-error a loadTestPlugin option that does not exist
await loadTestPlugin(new Uint8Array(), { permisions: 'allow-all' });
// @ts-expect-error a response field that does not exist
void (await plugin.handleCommand('x')).sucess;
`;

describe("a plugin project's tests, type-checked against the published types", () => {
  it('see the typed matchers and options: a misspelt matcher, option or field is a type error', () => {
    const file = join(dir, 'plugin.test.ts');
    writeFileSync(file, CONSUMER);
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      types: ['node'],
      skipLibCheck: true,
    });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(problems).toEqual([]);
  }, 60_000);
});

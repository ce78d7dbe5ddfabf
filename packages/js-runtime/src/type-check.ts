// The type check of `diaryx-js build`: the entry and everything it imports are checked by the
// TypeScript compiler before bundling (esbuild only strips types), and uses of APIs that compile
// but do not work in a Diaryx plugin are reported as warnings naming the API and the alternative.
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as TS from 'typescript';

const TYPES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'types');
const GLOBALS = resolve(TYPES_DIR, 'globals.d.ts');
const BUILD_CHECK = resolve(TYPES_DIR, 'build-check.d.ts');

/** The APIs that compile but are dead or missing in Diaryx plugins, and what to use instead. */
const DEAD_APIS: Record<string, { api: string; why: string; instead: string }> = {
  Config: {
    api: 'Config.get',
    why: "always returns null in Diaryx plugins (the host's Extism manifest has no config)",
    instead: 'config() or configValue() from @diaryx/js-runtime/sdk, with set_config/get_config exports (definePlugin wires them)',
  },
  Http: {
    api: 'Http.request',
    why: "fails in Diaryx plugins (the host denies Extism's http_request)",
    instead: 'hostHttpRequest() from @diaryx/js-runtime/sdk (host_http_request, permission http_requests)',
  },
  fetch: {
    api: 'fetch',
    why: 'does not exist in Diaryx plugins (the runtime has no event loop and no network of its own; the host makes requests)',
    instead: 'httpRequest() or hostHttpRequest() from @diaryx/js-runtime/sdk (host_http_request, permission http_requests)',
  },
  setTimeout: {
    api: 'setTimeout',
    why: 'does not exist in Diaryx plugins (the runtime has no event loop; a call runs to its end)',
    instead: 'the work within the call, or plugin storage (storageSetJson) to keep state for a later call or event',
  },
  setInterval: {
    api: 'setInterval',
    why: 'does not exist in Diaryx plugins (the runtime has no event loop)',
    instead: 'on_event handlers (the host sends events) and plugin storage (storageSetJson) to keep state',
  },
};

/** The result of {@link typeCheckPlugin}. */
export interface TypeCheckResult {
  /** The compiler's errors, formatted as `file(line,col): error TSnnnn: …`; empty when none. */
  errors: string;
  /** One line per use of an API that does not work in Diaryx plugins. */
  warnings: string[];
}

/**
 * Type-checks a plugin entry with the TypeScript compiler (strict, ES2023, no DOM, the runtime's
 * globals) and finds uses of `Config.get`, `Http`, `setTimeout` and `setInterval`.
 */
export async function typeCheckPlugin(entry: string): Promise<TypeCheckResult> {
  const loaded = await import('typescript');
  // TypeScript is CommonJS: Node puts it on `default`.
  const ts = ((loaded as unknown as { default?: typeof TS }).default ?? loaded) as typeof TS;
  const options: TS.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2023,
    lib: ['lib.es2023.d.ts'],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    resolveJsonModule: true,
    skipLibCheck: true,
    types: [],
  };
  const program = ts.createProgram([entry, GLOBALS, BUILD_CHECK], options);
  const diagnostics = ts.getPreEmitDiagnostics(program);
  const cwd = process.cwd();
  const errors = ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f: string) => f,
    getCurrentDirectory: () => cwd,
    getNewLine: () => '\n',
  });
  const checker = program.getTypeChecker();
  const warnings: string[] = [];
  const isRuntimeGlobal = (node: TS.Node): boolean => {
    const declarations = checker.getSymbolAtLocation(node)?.declarations ?? [];
    return declarations.length > 0 && declarations.every((d: TS.Declaration) => {
      const file = resolve(d.getSourceFile().fileName);
      return file === BUILD_CHECK || file.endsWith(`${'/'}types${'/'}globals.d.ts`);
    });
  };
  for (const source of program.getSourceFiles()) {
    if (source.isDeclarationFile || source.fileName.includes('/node_modules/')) continue;
    const visit = (node: TS.Node): void => {
      if (ts.isIdentifier(node) && Object.hasOwn(DEAD_APIS, node.text) && isRuntimeGlobal(node)) {
        const dead = DEAD_APIS[node.text]!;
        const parent = node.parent;
        const isConfigGet = node.text !== 'Config' || (ts.isPropertyAccessExpression(parent) && parent.expression === node);
        if (isConfigGet) {
          const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
          const file = relative(cwd, source.fileName) || source.fileName;
          warnings.push(`${file}:${line + 1}:${character + 1}: warning: \`${dead.api}\` ${dead.why}; instead, use ${dead.instead}`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { errors, warnings };
}

import type { MaybePromise } from '../runtime/maybe-async.js';

/** Parses YAML text (the `yaml` package's `parse`). */
export type YamlParse = (text: string) => unknown;

let parser: YamlParse | null = null;
let loading: Promise<YamlParse> | null = null;

/**
 * The YAML parser, at once once loaded, else a Promise that loads it: a bundler puts the `yaml`
 * package (≈ 100 KB) in a chunk of its own, which a page that never reads frontmatter never
 * downloads. The Node entry installs it when it is imported.
 */
export function yamlParser(): MaybePromise<YamlParse> {
  if (parser !== null) return parser;
  loading ??= import('yaml').then((yaml) => (parser = yaml.parse));
  return loading;
}

/** The YAML parser, which must be loaded already. @throws Error naming the call that loads it */
export function loadedYamlParser(): YamlParse {
  if (parser === null) {
    throw new Error(
      'the YAML parser is not loaded yet: await preloadFrontmatter() from @diaryx/host-fns before reading frontmatter synchronously ' +
        '(host functions and frontmatterChecker load it themselves; the Node entry loads it at import)',
    );
  }
  return parser;
}

/** @internal Installs the parser (the Node entry does, so Node code never waits for it). */
export function installYamlParser(parse: YamlParse): void {
  parser = parse;
}

/**
 * Loads the YAML parser now. The loader calls it before it starts a plugin whose host functions
 * must answer synchronously (in-process, or metered with `asyncHostServices: false`); call it
 * yourself before `parseFrontmatter` or `isRootIndexText` outside Node.
 */
export async function preloadFrontmatter(): Promise<void> {
  await yamlParser();
}

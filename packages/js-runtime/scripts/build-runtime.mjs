// Builds dist/runtime.wasm: QuickJS 2025-04-26 (Debian's source tarball, checked by hash, patched
// by patches/*.patch) and native/runtime.c, compiled for wasm32-wasip1 by @yowasp/clang (Clang/LLD
// compiled to WebAssembly, from npm: no system compiler). The same compiler everywhere gives the
// same bytes on every machine.
// Usage: node scripts/build-runtime.mjs [--out <file>] [--no-cache]
//   --no-cache  compile even when the runtime cache holds this exact build (the reproducibility test)
// Caches (outside the checkout, shared by every clone; DIARYX_CACHE_DIR overrides the folder):
//   <cache>/quickjs/<tarball>          the source tarball, fetched once
//   <cache>/js-runtime/<key>.wasm      the runtime, keyed by every input and the compiler version
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOST_FUNCTION_NAMES } from '@diaryx/host-fns';
import { runClang, runLLVM, version as CLANG_VERSION } from '@yowasp/clang';

const QUICKJS_VERSION = '2025.04.26';
const DEBIAN_VERSION = `${QUICKJS_VERSION}-1`;
/** The Debian release whose archive carries quickjs 2025.04.26-1. */
const DEBIAN_SUITE = 'trixie';
const TARBALL = `quickjs_${QUICKJS_VERSION}.orig.tar.xz`;
const TARBALL_SHA256 = 'ec81da5b3249ed648dbc7df4a1654988910e66a118d9b71cb63534216efcfbbe';
const QUICKJS_SOURCES = ['quickjs.c', 'libregexp.c', 'libunicode.c', 'cutils.c', 'dtoa.c'];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = process.env.DIARYX_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'diaryx');
const tarballCache = join(cacheDir, 'quickjs');
/** A tarball put here by hand (the checkout's own cache) is used too. */
const localTarballCache = join(root, '.quickjs');
const outArg = process.argv.indexOf('--out');
const out = outArg === -1 ? join(root, 'dist', 'runtime.wasm') : process.argv[outArg + 1];
const useCache = !process.argv.includes('--no-cache');

function fail(message) {
  console.error(`@diaryx/js-runtime build: ${message}`);
  process.exit(1);
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

const byHand =
  `Provide it by hand: get ${TARBALL} (SHA-256 ${TARBALL_SHA256}) from Debian's source package quickjs ${DEBIAN_VERSION}` +
  ` (release ${DEBIAN_SUITE}, component main) and put it in ${tarballCache}/ (or ${localTarballCache}/), then build again.`;

/**
 * The machine's own Debian archives, from its apt configuration (one-line `.list` and deb822
 * `.sources` files), as `deb-src` entries for the suite that carries quickjs: the project names no host.
 */
function machineDebSrcEntries() {
  const files = [];
  if (existsSync('/etc/apt/sources.list')) files.push('/etc/apt/sources.list');
  const parts = '/etc/apt/sources.list.d';
  if (existsSync(parts)) {
    for (const f of readdirSync(parts).sort()) if (f.endsWith('.list') || f.endsWith('.sources')) files.push(join(parts, f));
  }
  const entries = new Map();
  const add = (uri, signedBy) => {
    const clean = uri.replace(/\/+$/, '');
    if (!entries.has(clean)) entries.set(clean, signedBy);
  };
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (name) => stanza.match(new RegExp(`^${name}:[ \\t]*(.*)$`, 'mi'))?.[1].trim();
        if (/^no$/i.test(field('Enabled') ?? '')) continue;
        const types = (field('Types') ?? '').split(/\s+/);
        if (!types.includes('deb') && !types.includes('deb-src')) continue;
        for (const uri of (field('URIs') ?? '').split(/\s+/).filter(Boolean)) add(uri, field('Signed-By'));
      }
    } else {
      for (const line of text.split('\n')) {
        const m = line.match(/^\s*deb(?:-src)?\s+(?:\[([^\]]*)\]\s+)?(\S+)/);
        if (m) add(m[2], m[1]?.match(/signed-by=(\S+)/)?.[1]);
      }
    }
  }
  return [...entries].map(([uri, signedBy]) => {
    // A Signed-By field may hold an inline key (several lines): only a file path is kept.
    const key = signedBy && !signedBy.includes('\n') && existsSync(signedBy) ? ` [signed-by=${signedBy}]` : '';
    return `deb-src${key} ${uri} ${DEBIAN_SUITE} main`;
  });
}

/** Fetches Debian's source tarball with a private apt configuration (no system file is changed). */
function fetchWithApt(entry, reasons) {
  const work = mkdtempSync(join(tmpdir(), 'diaryx-quickjs-'));
  try {
    for (const dir of ['lists/partial', 'cache/archives/partial', 'src']) mkdirSync(join(work, dir), { recursive: true });
    writeFileSync(join(work, 'sources.list'), `${entry}\n`);
    const apt = [
      '-q',
      '-o', `Dir::Etc::sourcelist=${join(work, 'sources.list')}`,
      '-o', 'Dir::Etc::sourceparts=-',
      '-o', `Dir::State::Lists=${join(work, 'lists')}`,
      '-o', `Dir::Cache=${join(work, 'cache')}`,
      '-o', 'APT::Sandbox::User=root',
    ];
    spawnSync('apt-get', [...apt, 'update'], { stdio: 'ignore' });
    const got = spawnSync('apt-get', [...apt, 'source', '--download-only', `quickjs=${DEBIAN_VERSION}`], { cwd: join(work, 'src'), encoding: 'utf8' });
    const file = join(work, 'src', TARBALL);
    if (got.status !== 0 || !existsSync(file)) {
      reasons.push(`${entry}: ${(got.stderr || got.error?.message || 'no tarball').trim().split('\n').pop()}`);
      return undefined;
    }
    const hash = sha256(readFileSync(file));
    if (hash !== TARBALL_SHA256) {
      reasons.push(`${entry}: ${TARBALL} has SHA-256 ${hash}, expected ${TARBALL_SHA256}`);
      return undefined;
    }
    mkdirSync(tarballCache, { recursive: true });
    const target = join(tarballCache, TARBALL);
    const partial = `${target}.${process.pid}.partial`;
    copyFileSync(file, partial);
    renameSync(partial, target);
    return target;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The hash-checked source tarball: from a cache, or fetched once into the shared cache. */
function sourceTarball() {
  for (const dir of [tarballCache, localTarballCache]) {
    const candidate = join(dir, TARBALL);
    if (!existsSync(candidate)) continue;
    const hash = sha256(readFileSync(candidate));
    if (hash === TARBALL_SHA256) return candidate;
    fail(`${candidate} has SHA-256 ${hash}, expected ${TARBALL_SHA256}: delete it to fetch it again. ${byHand}`);
  }
  if (spawnSync('apt-get', ['--version']).status !== 0) {
    fail(`${TARBALL} is not in ${tarballCache}/ and this machine has no apt-get to fetch Debian's source package. ${byHand}`);
  }
  const entries = machineDebSrcEntries();
  if (entries.length === 0) {
    fail(`${TARBALL} is not in ${tarballCache}/ and this machine's apt configuration (/etc/apt/sources.list, /etc/apt/sources.list.d/) names no Debian archive to fetch it from. ${byHand}`);
  }
  console.log(`fetching Debian's quickjs ${DEBIAN_VERSION} source package (once; cached in ${tarballCache})`);
  const reasons = [];
  for (const entry of entries) {
    const got = fetchWithApt(entry, reasons);
    if (got) return got;
  }
  return fail(`could not fetch ${TARBALL} from this machine's apt archives:\n  ${reasons.join('\n  ')}\n${byHand}`);
}

/** Applies a unified diff (`-p1`) to in-memory files; every hunk must match exactly. */
function applyPatch(files, patchText, patchName) {
  const lines = patchText.split('\n');
  let i = 0;
  while (i < lines.length) {
    const target = lines[i].match(/^\+\+\+ b\/(\S+)/)?.[1];
    i++;
    if (!target) continue;
    if (!(target in files)) fail(`patches/${patchName}: ${target} is not in the QuickJS sources`);
    const text = files[target].split('\n');
    let shift = 0;
    while (i < lines.length && lines[i].startsWith('@@')) {
      const start = Number(lines[i].match(/^@@ -(\d+)/)[1]) - 1 + shift;
      i++;
      const before = [];
      const after = [];
      for (; i < lines.length && /^[ +-]/.test(lines[i]) && !lines[i].startsWith('--- '); i++) {
        const body = lines[i].slice(1);
        if (lines[i][0] !== '+') before.push(body);
        if (lines[i][0] !== '-') after.push(body);
      }
      if (text.slice(start, start + before.length).join('\n') !== before.join('\n')) {
        fail(`patches/${patchName} does not apply to ${target} at line ${start + 1}`);
      }
      text.splice(start, before.length, ...after);
      shift += after.length - before.length;
    }
    files[target] = text.join('\n');
  }
}

/** The QuickJS sources (headers and the compiled .c files), extracted and patched in memory. */
function quickjsSources(tarball) {
  const work = mkdtempSync(join(tmpdir(), 'diaryx-quickjs-src-'));
  try {
    const tar = spawnSync('tar', ['xf', tarball, '-C', work], { encoding: 'utf8' });
    if (tar.status !== 0) fail(`could not unpack ${tarball} with tar (xz support needed): ${tar.stderr || tar.error?.message}`);
    const dir = join(work, `quickjs-${QUICKJS_VERSION}`);
    const files = {};
    for (const f of readdirSync(dir).sort()) if (f.endsWith('.h') || QUICKJS_SOURCES.includes(f) || f === 'LICENSE') files[f] = readFileSync(join(dir, f), 'utf8');
    for (const patch of readdirSync(join(root, 'patches')).filter((f) => f.endsWith('.patch')).sort()) {
      applyPatch(files, readFileSync(join(root, 'patches', patch), 'utf8'), patch);
    }
    return files;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function hostFunctionsHeader() {
  const lines = ['// Generated by scripts/build-runtime.mjs from @diaryx/host-fns: do not edit.'];
  HOST_FUNCTION_NAMES.forEach((name, i) => lines.push(`USER("${name}") uint64_t host_fn_${i}(uint64_t);`));
  lines.push(`#define HOST_FUNCTION_COUNT ${HOST_FUNCTION_NAMES.length}`);
  lines.push(`static uint64_t (*const host_functions[])(uint64_t) = { ${HOST_FUNCTION_NAMES.map((_, i) => `host_fn_${i}`).join(', ')} };`);
  lines.push(`static const char *const host_function_names[] = { ${HOST_FUNCTION_NAMES.map((n) => `"${n}"`).join(', ')} };`);
  return `${lines.join('\n')}\n`;
}

function licences(quickjsLicence) {
  return [
    '# Third-party licences of runtime.wasm',
    '',
    `## QuickJS ${QUICKJS_VERSION} (MIT)`,
    '',
    quickjsLicence.trim(),
    '',
    `## wasi-libc and compiler-rt builtins (as shipped in @yowasp/clang ${CLANG_VERSION})`,
    '',
    'wasi-libc: Apache-2.0 WITH LLVM-exception, Apache-2.0, MIT (musl) and others; see https://github.com/WebAssembly/wasi-libc/blob/main/LICENSE.',
    'compiler-rt: Apache-2.0 WITH LLVM-exception; see https://github.com/llvm/llvm-project/blob/main/compiler-rt/LICENSE.TXT.',
    '',
  ].join('\n');
}

// The compile runs on an in-memory tree, so paths (and assert() messages) are the same everywhere.
const args = [
  'clang', '--target=wasm32-wasip1', '-Oz', '-mexec-model=reactor',
  '-D_GNU_SOURCE', `-DCONFIG_VERSION="${QUICKJS_VERSION.replaceAll('.', '-')}"`,
  '-I', 'quickjs', '-I', 'generated',
  '-Wl,--no-entry', '-Wl,--strip-all', '-Wl,-z,stack-size=1048576',
  '-o', 'out/runtime.wasm', 'native/runtime.c', ...QUICKJS_SOURCES.map((f) => `quickjs/${f}`),
];

const started = Date.now();
const quickjs = quickjsSources(sourceTarball());
const tree = {
  native: { 'runtime.c': readFileSync(join(root, 'native', 'runtime.c'), 'utf8') },
  quickjs,
  generated: { 'host-functions.h': hostFunctionsHeader() },
  out: {},
};
const key = sha256(JSON.stringify({ clang: CLANG_VERSION, args, tree, script: readFileSync(fileURLToPath(import.meta.url), 'utf8') }));
const cached = join(cacheDir, 'js-runtime', `runtime-${key.slice(0, 32)}.wasm`);

let wasm;
if (useCache && existsSync(cached)) {
  wasm = readFileSync(cached);
  console.log(`runtime.wasm from the cache (${cached})`);
} else {
  console.log(`compiling QuickJS with @yowasp/clang ${CLANG_VERSION} (1–3 minutes the first time)`);
  const stderr = [];
  let result;
  try {
    // Loads the compiler's resources first, without its progress lines (runClang prints them).
    await runLLVM(['clang', '--version'], {}, { stdout: () => {}, stderr: () => {}, fetchProgress: () => {} });
    result = await runClang(args, tree, {
      stdout: (bytes) => bytes && stderr.push(Buffer.from(bytes)),
      stderr: (bytes) => bytes && stderr.push(Buffer.from(bytes)),
      fetchProgress: () => {},
    });
  } catch (error) {
    fail(`clang failed (${error.message}):\n${Buffer.concat(stderr).toString('utf8')}`);
  }
  const warnings = Buffer.concat(stderr).toString('utf8').trim();
  if (warnings) console.log(warnings);
  wasm = Buffer.from(result.out['runtime.wasm']);
  if (useCache) {
    mkdirSync(dirname(cached), { recursive: true });
    const partial = `${cached}.${process.pid}.partial`;
    writeFileSync(partial, wasm);
    renameSync(partial, cached);
  }
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, wasm);
if (outArg === -1) writeFileSync(join(root, 'dist', 'THIRD_PARTY_LICENSES.md'), licences(quickjs.LICENSE));
console.log(`built ${out} (${wasm.length} bytes, ${((Date.now() - started) / 1000).toFixed(1)} s)`);

import { defineHostFunction, scopedKey } from '../runtime/define.js';
import { optStr, optStrArray, optStrMap, str, strArray } from '../runtime/input-schema.js';
import { wait } from '../runtime/maybe-async.js';
import { hasTraversal } from '../runtime/path-guard.js';
import { decodeBase64Strict, encodeBase64 } from '../util/base64.js';
import { errorMessage } from '../util/error-message.js';
import { decodeUtf8Lossy } from '../util/utf8.js';

const STUB = JSON.stringify({ exit_code: -1, stderr: 'host_run_wasi_module: wasi-runner feature not enabled', stdout: '' });

/**
 * `host_run_wasi_module {module_key, args, stdin?, files?, output_files?}` → `{exit_code,
 * stdout (b64), stderr, files?}`, running a module the plugin stored under `module_key`.
 * Without a WASI runner: Rust's stub output.
 */
export const hostRunWasiModule = defineHostFunction('host_run_wasi_module', function* (call) {
  const runner = call.context.wasi;
  if (!runner) return STUB;
  const input = call.input({
    module_key: str(),
    args: strArray(),
    stdin: optStr(),
    files: optStrMap(),
    output_files: optStrArray(),
  });
  yield* call.requirePermission('plugin_storage', input.module_key);
  const module = yield* wait(call.context.storage.get(scopedKey(call.pluginId, input.module_key)));
  if (module == null) return call.trap(`host_run_wasi_module: module not found in storage: ${input.module_key}`);
  const decode = (text: string, what: string) => {
    try {
      return decodeBase64Strict(text);
    } catch (error) {
      return call.trap(`host_run_wasi_module: base64 decode of ${what}: ${errorMessage(error)}`);
    }
  };
  const files = new Map<string, Uint8Array>();
  for (const [path, data] of Object.entries(input.files ?? {})) {
    // Rust does not check these; the kit refuses a path that climbs out of the sandbox folder.
    if (hasTraversal(path)) call.trap(`Path traversal not allowed: '${path}'`);
    files.set(path.replace(/^\/+/, ''), decode(data, path));
  }
  const outputFiles = input.output_files ?? [];
  // Rust reads them without a check; the kit refuses one that would read outside the folder.
  for (const path of outputFiles) if (hasTraversal(path)) call.trap(`Path traversal not allowed: '${path}'`);
  const stdin = input.stdin === null ? null : decode(input.stdin, 'stdin');
  try {
    const result = yield* wait(runner.run({ module, args: input.args, stdin, files, outputFiles, signal: call.signal }));
    const output: Record<string, unknown> = {
      exit_code: result.exitCode,
      stdout: encodeBase64(result.stdout),
      stderr: decodeUtf8Lossy(result.stderr),
    };
    if (result.files.size > 0) {
      output['files'] = Object.fromEntries([...result.files].map(([path, bytes]) => [path, encodeBase64(bytes)]));
    }
    return JSON.stringify(output);
  } catch (error) {
    // Rust: `host_run_wasi_module: <runner error>`, e.g. "WASI module trapped: <e>\nstderr: <stderr>".
    return call.trap(`host_run_wasi_module: ${errorMessage(error)}`);
  }
});

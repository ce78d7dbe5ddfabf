import type { HostContext } from './context.js';
import { hostDeleteFile } from './functions/delete-file.js';
import { hostEmitEvent } from './functions/emit-event.js';
import { hostFileExists } from './functions/file-exists.js';
import { hostFileMetadata } from './functions/file-metadata.js';
import { hostGetNow } from './functions/get-now.js';
import { hostGetRuntimeContext } from './functions/get-runtime-context.js';
import { hostGetTimestamp } from './functions/get-timestamp.js';
import { hostHashFile } from './functions/hash-file.js';
import { hostHttpRequest } from './functions/http-request.js';
import { hostListFiles } from './functions/list-files.js';
import { hostLog } from './functions/log.js';
import {
  hostNamespaceDeleteObject,
  hostNamespaceListObjects,
  hostNamespacePutObject,
  hostNamespaceSendEmail,
  hostNamespaceSyncAudience,
} from './functions/namespaces.js';
import { hostPluginCommand } from './functions/plugin-command.js';
import { hostProxyRequest } from './functions/proxy-request.js';
import { hostReadBinary } from './functions/read-binary.js';
import { hostReadFile } from './functions/read-file.js';
import { hostRequestFile } from './functions/request-file.js';
import { hostRunWasiModule } from './functions/run-wasi-module.js';
import { hostSecretDelete, hostSecretGet, hostSecretSet } from './functions/secrets.js';
import { hostStorageGet } from './functions/storage-get.js';
import { hostStorageSet } from './functions/storage-set.js';
import { hostWorkspaceFileSet } from './functions/workspace-file-set.js';
import { hostWriteBinary, hostWriteFile } from './functions/write-file.js';
import { hostWsRequest } from './functions/ws-request.js';
import type { HostFunctionDefinition, HostOutput } from './runtime/define.js';
import type { ExtismHostFunction, GuestMemory } from './runtime/extism-types.js';
import { HostCall, HostTrap } from './runtime/host-call.js';
import type { HostCallAnswer } from './runtime/host-call-answer.js';
import type { HostCallOutcome, HostCallRecord } from './runtime/host-call-record.js';
import { runTask } from './runtime/maybe-async.js';
import type { PluginHostState } from './runtime/plugin-state.js';
import { pluginLogPrefix } from './services/logger.js';
import { decodeUtf8Lossy } from './util/utf8.js';

/** The Extism namespace every Diaryx host function is imported from. */
export const HOST_NAMESPACE = 'extism:host/user';

/** Every host function, in the protocol's order. Adding one = one file + one line here. */
export const HOST_FUNCTIONS: readonly HostFunctionDefinition[] = [
  hostLog,
  hostReadFile,
  hostReadBinary,
  hostListFiles,
  hostWorkspaceFileSet,
  hostFileExists,
  hostFileMetadata,
  hostWriteFile,
  hostDeleteFile,
  hostWriteBinary,
  hostEmitEvent,
  hostStorageGet,
  hostStorageSet,
  hostSecretGet,
  hostSecretSet,
  hostSecretDelete,
  hostGetTimestamp,
  hostGetNow,
  hostHttpRequest,
  hostRunWasiModule,
  hostRequestFile,
  hostPluginCommand,
  hostGetRuntimeContext,
  hostNamespacePutObject,
  hostNamespaceDeleteObject,
  hostNamespaceListObjects,
  hostNamespaceSyncAudience,
  hostNamespaceSendEmail,
  hostWsRequest,
  hostHashFile,
  hostProxyRequest,
];

/** The import names of {@link HOST_FUNCTIONS}. */
export const HOST_FUNCTION_NAMES: readonly string[] = HOST_FUNCTIONS.map((f) => f.name);

function outputText(output: HostOutput): string {
  return typeof output === 'string' ? output : decodeUtf8Lossy(output);
}

/**
 * Builds the functions to register under {@link HOST_NAMESPACE} for one plugin. Pass a fresh
 * object to every `createPlugin` (the SDK mutates it).
 *
 * A host function never throws into a worker-mode plugin (that would kill it): a trap is
 * recorded in `state.pendingTrap` and the loader fails the export call; later host calls of the
 * same export call do nothing. In-process, a trap throws, which aborts the guest at once.
 */
export function createHostFunctions(
  context: HostContext,
  state: PluginHostState,
): Record<string, ExtismHostFunction> {
  const functions: Record<string, ExtismHostFunction> = {};
  for (const definition of HOST_FUNCTIONS) {
    functions[definition.name] = (memory, input) => invoke(definition, context, state, memory, input);
  }
  return functions;
}

function invoke(
  definition: HostFunctionDefinition,
  context: HostContext,
  state: PluginHostState,
  memory: GuestMemory,
  input: bigint,
): bigint | Promise<bigint> {
  if (state.pendingTrap !== null) return 0n;
  const call = new HostCall(definition.name, memory, input, state, context);
  // Timed only while the plugin is recorded: the path of every host call stays free otherwise.
  if (state.recorder) call.startedAt = performance.now();
  let result: HostOutput | PromiseLike<HostOutput>;
  try {
    const answer = context.answers ? context.answers(call) : undefined;
    result = answer === undefined ? runTask(definition.run(call)) : answered(call, answer);
  } catch (error) {
    return fail(call, error);
  }
  if (typeof result === 'string' || result instanceof Uint8Array) return finish(call, memory, result);
  if (state.inProcess) {
    // The guest is blocked on this thread: it cannot wait for a Promise.
    result.then(undefined, () => undefined);
    return fail(
      call,
      new HostTrap(
        `${definition.name}: a host service returned a Promise, but plugin '${state.pluginId}' runs on the host's thread without JSPI; ` +
          "async services need mode: 'worker', or mode 'metered' / 'auto' on a runtime with JSPI (Node 26) without asyncHostServices: false",
      ),
    );
  }
  return Promise.resolve(result).then(
    (output) => finish(call, memory, output),
    (error: unknown) => fail(call, error),
  );
}

/** An answer source's answer, as the host function would have given it (a denial is remembered for the observer). */
function answered(call: HostCall, answer: HostCallAnswer): HostOutput {
  if (answer.denied !== undefined) {
    call.denied = true;
    call.denialMessage = answer.denied;
  }
  if ('trap' in answer) throw new HostTrap(answer.trap);
  return answer.output;
}

function record(call: HostCall, outcome: HostCallOutcome, output: HostOutput, message: string | undefined, trapped: boolean): void {
  const observer = call.context.observer;
  const recorder = call.plugin.recorder;
  if (!observer && !recorder) return;
  const seen: HostCallRecord = {
    name: call.fn,
    pluginId: call.pluginId,
    input: call.inputPreview(),
    output: outputText(output),
    outcome,
    ...(message === undefined ? {} : { message }),
  };
  try {
    observer?.(seen);
  } catch {
    // An observer is diagnostics only; it must never break a guest call.
  }
  try {
    recorder?.({ ...seen, value: output, durationMs: performance.now() - call.startedAt, trapped });
  } catch {
    // Nor may a recorder.
  }
}

function finish(call: HostCall, memory: GuestMemory, output: HostOutput): bigint {
  record(call, call.denied ? 'denied' : 'ok', output, call.denialMessage, false);
  // "" is a real block of length 0, never handle 0: @extism/extism 2.0.0-rc13 keeps a live 1-byte
  // block at index 0 (its "null page"), so a guest that reads handle 0 by its length, as the Rust
  // guest SDK does, got the byte "\0" where the Rust kernel answers length 0. An empty block reads
  // as "" whatever way the guest reads it (in worker mode the SDK ships it as a freed block: length 0).
  const handle = memory.store(output);
  if (output.length === 0) (call.plugin.emptyAnswers ??= new Set()).add(handle);
  return handle;
}

function fail(call: HostCall, error: unknown): bigint {
  let message: string;
  if (error instanceof HostTrap) {
    message = error.message;
  } else {
    message = `${call.fn}: internal host error: ${error instanceof Error ? error.message : String(error)}`;
    call.context.logger.error(`${pluginLogPrefix(call.pluginId)} ${message}`, call.logFields('host'));
  }
  record(call, call.denied ? 'denied' : 'trap', '', message, true);
  // A host call that outlived its export call (aborted with it) must not fail the next one.
  if (!call.abandoned) call.plugin.pendingTrap = message;
  if (call.plugin.inProcess) throw new HostTrap(message);
  return 0n;
}

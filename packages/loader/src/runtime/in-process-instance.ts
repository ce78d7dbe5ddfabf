import { HOST_NAMESPACE } from '@diaryx/host-fns';
import { throwIfAborted } from './call-stop.js';
import { KIT_WASI_MODULE } from './guest-entry-rewrite.js';
import type { GuestInstance, GuestInstanceOptions } from './guest-instance.js';
import {
  checkedStatus,
  closerOf,
  closeWhenCollected,
  forgetCollected,
  sdkInput,
  type SdkFunctions,
  startSdkPlugin,
  statusGlobal,
} from './sdk-plugin.js';
import { procExit } from './wasi-shim.js';

/**
 * In-process, unmodified: the guest runs on the caller's thread with nothing to stop it (no
 * deadline: trusted plugins only). A signal stops a call only before it starts. The call is the
 * SDK's call and one `then` (each layer of promises costs a microtask turn); rc13 resets its
 * block list at every call and hands out a fresh buffer.
 */
export async function inProcessInstance(options: GuestInstanceOptions): Promise<GuestInstance> {
  const functions: SdkFunctions = { [HOST_NAMESPACE]: { ...options.hostFunctions }, [KIT_WASI_MODULE]: { proc_exit: procExit(null) } };
  const sdk = await startSdkPlugin({ ...options, functions, runInWorker: false, sdkStartTimeoutMs: null });
  const instance = await sdk.getInstance();
  const status = statusGlobal(instance);
  const memory = Object.values(instance.exports).find((e): e is WebAssembly.Memory => e instanceof WebAssembly.Memory) ?? null;
  const holder = { current: { sdk } };
  let calls = 0;
  let busyMs = 0;
  const guest: GuestInstance = {
    call(exportName, input, callOptions) {
      throwIfAborted(callOptions?.signal);
      calls++;
      const started = performance.now();
      return sdk.call(exportName, sdkInput(input)).then(
        (output) => {
          busyMs += performance.now() - started;
          return status ? checkedStatus(status, output) : output;
        },
        (error: unknown) => {
          busyMs += performance.now() - started;
          throw error;
        },
      );
    },
    stats: () => ({ calls, busyMs, timeouts: 0, restarts: 0, memoryBytes: memory?.buffer.byteLength ?? null }),
    close: () => {
      forgetCollected(guest);
      return sdk.close();
    },
  };
  closeWhenCollected(guest, closerOf(holder));
  return guest;
}

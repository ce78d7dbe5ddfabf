import { createHostContext, HOST_FUNCTION_NAMES, type HostCallRecord, type HostContext } from '@diaryx/host-fns';
import { type LoadedPlugin, loadPlugin } from '@diaryx/loader';
import { compileWat, probeWat } from '@diaryx/test-utils';

const MANIFEST = JSON.stringify({
  id: 'probe',
  name: 'Probe',
  version: '1.0.0',
  description: 'Passes each input straight to one host function',
  capabilities: [],
});

let wasm: Promise<Uint8Array> | undefined;

/** The probe plugin: `probe_<host fn>` for every host function. */
export function probeWasm(): Promise<Uint8Array> {
  wasm ??= compileWat(probeWat(MANIFEST, HOST_FUNCTION_NAMES));
  return wasm;
}

/** A loaded probe plugin and what its host functions did. */
export interface Probe {
  plugin: LoadedPlugin;
  host: HostContext;
  calls: HostCallRecord[];
  /** Calls a host function with raw input; returns its output as text ("" for handle 0). */
  call(fn: string, input: string | object): Promise<string>;
  /** Same, returning bytes. */
  callBytes(fn: string, input: string | object): Promise<Uint8Array>;
  /** Calls a host function that must trap; returns the error message. */
  trap(fn: string, input: string | object): Promise<string>;
}

/** Loads the probe with these services (in-process unless `runInWorker`). */
export async function loadProbe(services: Partial<HostContext> = {}, options: { runInWorker?: boolean } = {}): Promise<Probe> {
  const calls: HostCallRecord[] = [];
  const host = createHostContext({ ...services, observer: (record) => calls.push(record) });
  const plugin = await loadPlugin(await probeWasm(), host, { name: 'probe', runInWorker: options.runInWorker ?? false });
  const text = (input: string | object) => (typeof input === 'string' ? input : JSON.stringify(input));
  const callBytes = async (fn: string, input: string | object) =>
    (await plugin.call(`probe_${fn}`, text(input))) ?? new Uint8Array(0);
  return {
    plugin,
    host,
    calls,
    callBytes,
    call: async (fn, input) => new TextDecoder().decode(await callBytes(fn, input)),
    async trap(fn, input) {
      try {
        await plugin.call(`probe_${fn}`, text(input));
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error(`${fn} did not trap for ${text(input)}`);
    },
  };
}

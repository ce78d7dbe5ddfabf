// How `run` and `dev` show a host call: storage payloads (base64 on the wire) are shown decoded
// when they are UTF-8 text, so a person reads what the plugin stored.
import type { HostCallRecord } from '@diaryx/host-fns';
import { utf8OrNull } from './state-file.js';

function decodedData(json: string): string {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return json;
  }
  const record = value as { data?: unknown } | null;
  if (typeof record !== 'object' || record === null || typeof record.data !== 'string') return json;
  const text = utf8OrNull(new Uint8Array(Buffer.from(record.data, 'base64')));
  return text === null ? json : JSON.stringify({ ...record, data: undefined, text });
}

/** The call's input as shown: `host_storage_set`'s `data` decoded to `text` when it is UTF-8. */
export function shownInput(call: HostCallRecord): string {
  return call.name === 'host_storage_set' ? decodedData(call.input) : call.input;
}

/** The call's output as shown ("" when nothing worth showing): `host_storage_get`'s `data` decoded. */
export function shownOutput(call: HostCallRecord): string {
  return call.name === 'host_storage_get' ? decodedData(call.output) : '';
}

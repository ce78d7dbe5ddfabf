// Typed wrappers over the Diaryx host functions, with the same meaning as the AssemblyScript
// SDK's: each sends one JSON input and reads one output, as the Rust host and @diaryx/host-fns do.
import {
  host_delete_file,
  host_emit_event,
  host_file_exists,
  host_file_metadata,
  host_get_now,
  host_get_runtime_context,
  host_get_timestamp,
  host_hash_file,
  host_http_request,
  host_list_files,
  host_log,
  host_namespace_delete_object,
  host_namespace_list_objects,
  host_namespace_put_object,
  host_namespace_send_email,
  host_namespace_sync_audience,
  host_plugin_command,
  host_proxy_request,
  host_read_binary,
  host_read_file,
  host_request_file,
  host_run_wasi_module,
  host_secret_delete,
  host_secret_get,
  host_secret_set,
  host_storage_get,
  host_storage_set,
  host_workspace_file_set,
  host_write_binary,
  host_write_file,
  host_ws_request,
} from '@diaryx/js-runtime/host';

/** A host answer: a value, or the host's error text. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

function call(fn: (offset: PTR) => PTR, input: unknown): string {
  const handle = Memory.fromString(typeof input === 'string' ? input : JSON.stringify(input));
  try {
    const output = fn(handle.offset);
    const out = Memory.find(output);
    const text = out.readString();
    out.free();
    return text;
  } finally {
    handle.free();
  }
}

function jsonOrNull(text: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const base64ToBytes = (text: string) => new Uint8Array(Host.base64ToArrayBuffer(text));
const bytesToBase64 = (bytes: Uint8Array) => Host.arrayBufferToBase64(bytes.slice().buffer);

/** Logs through the host (`error`, `warn`, `info`, `debug`; anything else is trace). */
export function log(level: string, message: string): void {
  call(host_log, { level, message });
}

/** Reads a text file; a denial, a missing file or bad UTF-8 comes back as `error`. */
export function readFile(path: string): Result<string> {
  const out = call(host_read_file, { path });
  if (out.startsWith('{"error":')) {
    const error = jsonOrNull(out)?.error;
    return { ok: false, error: typeof error === 'string' && error !== '' ? error : out };
  }
  return { ok: true, value: out };
}

/** Reads a binary file (a denial or a missing file fails the call). */
export function readBinary(path: string): Uint8Array {
  const data = jsonOrNull(call(host_read_binary, { path }))?.data;
  return typeof data === 'string' ? base64ToBytes(data) : new Uint8Array(0);
}

/** Every path under `prefix` ("" = the workspace), directories included. */
export function listFiles(prefix = ''): string[] {
  try {
    const value = JSON.parse(call(host_list_files, { prefix })) as unknown;
    return Array.isArray(value) ? value.filter((p): p is string => typeof p === 'string') : [];
  } catch {
    return [];
  }
}

/** True when the file or folder exists. */
export function fileExists(path: string): boolean {
  return call(host_file_exists, { path }) === 'true';
}

/** Writes a text file; returns "" or the host's error text (a denial fails the call). */
export function writeFile(path: string, content: string): string {
  return call(host_write_file, { path, content });
}

/** Writes a binary file; returns "" or the host's error text. */
export function writeBinary(path: string, bytes: Uint8Array): string {
  return call(host_write_binary, { path, content: bytesToBase64(bytes) });
}

/** Deletes a file; returns "" or the host's error text. */
export function deleteFile(path: string): string {
  return call(host_delete_file, { path });
}

/** Emits an event, by convention `{event_type, payload}`. */
export function emitEvent(event: { event_type: string; payload?: unknown } | string): void {
  call(host_emit_event, event);
}

/** A stored value as text, or null when absent, deleted (empty data, see `storageDelete`) or denied. */
export function storageGet(key: string): string | null {
  const data = jsonOrNull(call(host_storage_get, { key }))?.data;
  return typeof data === 'string' && data !== '' ? new TextDecoder().decode(base64ToBytes(data)) : null;
}

/** Stores text; returns "" or the host's error (denied, over the 1 MiB quota). */
export function storageSet(key: string, value: string): string {
  return call(host_storage_set, { key, data: bytesToBase64(new TextEncoder().encode(value)) });
}

/** A secret, or null when absent. */
export function secretGet(key: string): string | null {
  const value = jsonOrNull(call(host_secret_get, { key }))?.value;
  return typeof value === 'string' ? value : null;
}

/** Stores a secret. */
export function secretSet(key: string, value: string): void {
  call(host_secret_set, { key, value });
}

/** Deletes a secret. */
export function secretDelete(key: string): void {
  call(host_secret_delete, { key });
}

/** Milliseconds since the Unix epoch, from the host's clock. */
export function getTimestamp(): number {
  return Number(call(host_get_timestamp, ''));
}

/** The host's local time as RFC 3339, e.g. `2024-01-15T10:30:00-07:00`. */
export function getNow(): string {
  return call(host_get_now, '');
}

/** SHA-256 of a file as 64 hex digits, or "" when it cannot be read. */
export function hashFile(path: string): string {
  const hash = jsonOrNull(call(host_hash_file, { path }))?.hash;
  return typeof hash === 'string' ? hash : '';
}

/** An HTTP request through the host (`host_http_request`, permission `http_requests`). */
export interface HostHttpRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeout_ms?: number;
}

/** The host's answer to an HTTP request (`status` 0 with `body` the error when it failed). */
export interface HostHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends an HTTP request through the host. */
export function httpRequest(request: HostHttpRequest): HostHttpResponse {
  const out = jsonOrNull(call(host_http_request, { method: 'GET', headers: {}, ...request }));
  return {
    status: typeof out?.status === 'number' ? out.status : 0,
    headers: (out?.headers as Record<string, string> | undefined) ?? {},
    body: typeof out?.body === 'string' ? out.body : '',
  };
}

/** Calls another plugin's command: `{success, data}` or `{success: false, error}`. */
export function pluginCommand(pluginId: string, command: string, params: unknown = null): { success: boolean; data?: unknown; error?: string } {
  const out = jsonOrNull(call(host_plugin_command, { plugin_id: pluginId, command, params }));
  return out === null ? { success: false, error: 'invalid answer from the host' } : (out as { success: boolean });
}

/** `host_http_request` under the name the build warnings point to (Extism's `Http` is denied in Diaryx). */
export const hostHttpRequest = httpRequest;

/** The workspace's files reachable from its root index, or the host's error. */
export function workspaceFileSet(): Result<string[]> {
  const out = call(host_workspace_file_set, '');
  try {
    const value = JSON.parse(out) as unknown;
    if (Array.isArray(value)) return { ok: true, value: value.filter((p): p is string => typeof p === 'string') };
  } catch {
    // not a list: the host's error text
  }
  return { ok: false, error: out };
}

/** What the host knows of a file. */
export interface FileMetadata {
  exists: boolean;
  modified_at_ms: number | null;
  size_bytes: number | null;
}

/** Whether a file exists, when it was modified and its size. */
export function fileMetadata(path: string): FileMetadata {
  const out = jsonOrNull(call(host_file_metadata, { path }));
  return {
    exists: out?.exists === true,
    modified_at_ms: typeof out?.modified_at_ms === 'number' ? out.modified_at_ms : null,
    size_bytes: typeof out?.size_bytes === 'number' ? out.size_bytes : null,
  };
}

/** A request to run a WASI module kept in plugin storage (PROTOCOL §4.20). */
export interface WasiModuleRequest {
  module_key: string;
  args: string[];
  /** stdin as base64. */
  stdin?: string;
  /** Input files: path → base64. */
  files?: Record<string, string>;
  output_files?: string[];
}

/** The result of a WASI module run. */
export interface WasiModuleResult {
  exit_code: number;
  /** stdout as base64. */
  stdout: string;
  stderr: string;
  /** The requested output files that exist: path → base64. */
  files?: Record<string, string>;
}

/** Runs a WASI module kept in plugin storage (hosts without a WASI runner fail the call). */
export function runWasiModule(request: WasiModuleRequest): WasiModuleResult {
  const out = jsonOrNull(call(host_run_wasi_module, request));
  return {
    exit_code: typeof out?.exit_code === 'number' ? out.exit_code : -1,
    stdout: typeof out?.stdout === 'string' ? out.stdout : '',
    stderr: typeof out?.stderr === 'string' ? out.stderr : '',
    ...(typeof out?.files === 'object' && out.files !== null ? { files: out.files as Record<string, string> } : {}),
  };
}

/** A file the host offers under `key` (a file picker, a CLI argument); empty when none. */
export function requestFile(key: string): Uint8Array {
  const handle = Memory.fromString(JSON.stringify({ key }));
  try {
    const out = Memory.find(host_request_file(handle.offset));
    const bytes = new Uint8Array(out.readBytes());
    out.free();
    return bytes;
  } finally {
    handle.free();
  }
}

/** The app's runtime context (`{}` when there is none). */
export function getRuntimeContext(): Record<string, unknown> {
  return jsonOrNull(call(host_get_runtime_context, '')) ?? {};
}

/** A namespace answer: the provider's JSON (`{"ok":true}`, a list, …) or `{"error": …}`. */
export type NamespaceAnswer = unknown;

function namespaceCall(fn: (offset: PTR) => PTR, request: object): NamespaceAnswer {
  const out = call(fn, request);
  try {
    return JSON.parse(out) as unknown;
  } catch {
    return { error: out };
  }
}

/** Puts an object in a namespace. */
export function namespacePutObject(request: { ns_id: string; key: string; body_base64: string; mime_type: string; audience: string }): NamespaceAnswer {
  return namespaceCall(host_namespace_put_object, request);
}
/** Deletes an object from a namespace (`{ns_id, key}`). */
export function namespaceDeleteObject(request: { ns_id: string; key: string }): NamespaceAnswer {
  return namespaceCall(host_namespace_delete_object, request);
}
/** Lists a namespace's objects: `[{audience, key, mime_type}]` or `{error}`. */
export function namespaceListObjects(request: { ns_id: string }): NamespaceAnswer {
  return namespaceCall(host_namespace_list_objects, request);
}
/** Syncs a namespace audience. */
export function namespaceSyncAudience(request: { ns_id: string; audience: string; access: string }): NamespaceAnswer {
  return namespaceCall(host_namespace_sync_audience, request);
}
/** Sends an email to a namespace audience (`{ns_id, audience, subject, reply_to?}`). */
export function namespaceSendEmail(request: { ns_id: string; audience: string; subject: string; reply_to?: string }): NamespaceAnswer {
  return namespaceCall(host_namespace_send_email, request);
}

/** Sends a request to the WebSocket bridge; a bridge error fails the call. */
export function wsRequest(text: string): string {
  return call(host_ws_request, text);
}

/** A request through the Diaryx server's proxy (`/api/proxy/<proxy_id>`, kit decision D18). */
export interface ProxyRequest {
  proxy_id: string;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Sends a request through the Diaryx server's proxy. */
export function proxyRequest(request: ProxyRequest): HostHttpResponse {
  const out = jsonOrNull(call(host_proxy_request, request));
  return {
    status: typeof out?.status === 'number' ? out.status : 0,
    headers: (out?.headers as Record<string, string> | undefined) ?? {},
    body: typeof out?.body === 'string' ? out.body : '',
  };
}

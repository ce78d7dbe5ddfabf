// Typed wrappers for every Diaryx host function (namespace extism:host/user). Each takes one
// memory handle and returns one, exactly as the Rust host and @diaryx/host-fns define them.
import { decodeBase64, encodeBase64 } from "./base64";
import { JsonObject, jsonString, parseJson, stringArray, stringField } from "./json";
import { blockBytes, blockText, bytesToBlock, toBlock } from "./memory";
import { JSON } from "assemblyscript-json/assembly";

@external("extism:host/user", "host_log") declare function host_log(input: u64): u64;
@external("extism:host/user", "host_read_file") declare function host_read_file(input: u64): u64;
@external("extism:host/user", "host_read_binary") declare function host_read_binary(input: u64): u64;
@external("extism:host/user", "host_list_files") declare function host_list_files(input: u64): u64;
@external("extism:host/user", "host_workspace_file_set") declare function host_workspace_file_set(input: u64): u64;
@external("extism:host/user", "host_file_exists") declare function host_file_exists(input: u64): u64;
@external("extism:host/user", "host_file_metadata") declare function host_file_metadata(input: u64): u64;
@external("extism:host/user", "host_write_file") declare function host_write_file(input: u64): u64;
@external("extism:host/user", "host_delete_file") declare function host_delete_file(input: u64): u64;
@external("extism:host/user", "host_write_binary") declare function host_write_binary(input: u64): u64;
@external("extism:host/user", "host_emit_event") declare function host_emit_event(input: u64): u64;
@external("extism:host/user", "host_storage_get") declare function host_storage_get(input: u64): u64;
@external("extism:host/user", "host_storage_set") declare function host_storage_set(input: u64): u64;
@external("extism:host/user", "host_secret_get") declare function host_secret_get(input: u64): u64;
@external("extism:host/user", "host_secret_set") declare function host_secret_set(input: u64): u64;
@external("extism:host/user", "host_secret_delete") declare function host_secret_delete(input: u64): u64;
@external("extism:host/user", "host_get_timestamp") declare function host_get_timestamp(input: u64): u64;
@external("extism:host/user", "host_get_now") declare function host_get_now(input: u64): u64;
@external("extism:host/user", "host_http_request") declare function host_http_request(input: u64): u64;
@external("extism:host/user", "host_run_wasi_module") declare function host_run_wasi_module(input: u64): u64;
@external("extism:host/user", "host_request_file") declare function host_request_file(input: u64): u64;
@external("extism:host/user", "host_plugin_command") declare function host_plugin_command(input: u64): u64;
@external("extism:host/user", "host_get_runtime_context") declare function host_get_runtime_context(input: u64): u64;
@external("extism:host/user", "host_namespace_put_object") declare function host_namespace_put_object(input: u64): u64;
@external("extism:host/user", "host_namespace_delete_object") declare function host_namespace_delete_object(input: u64): u64;
@external("extism:host/user", "host_namespace_list_objects") declare function host_namespace_list_objects(input: u64): u64;
@external("extism:host/user", "host_namespace_sync_audience") declare function host_namespace_sync_audience(input: u64): u64;
@external("extism:host/user", "host_namespace_send_email") declare function host_namespace_send_email(input: u64): u64;
@external("extism:host/user", "host_ws_request") declare function host_ws_request(input: u64): u64;
@external("extism:host/user", "host_hash_file") declare function host_hash_file(input: u64): u64;
@external("extism:host/user", "host_proxy_request") declare function host_proxy_request(input: u64): u64;

const path = (p: string): string => new JsonObject().str("path", p).toString();
const key = (k: string): string => new JsonObject().str("key", k).toString();

/** A host answer that is either a value or an error text. */
export class Result<T> {
  constructor(public value: T, public error: string) {}
  get ok(): bool {
    return this.error.length == 0;
  }
}

/** Logs through the host (`error`, `warn`, `info`, `debug`; anything else is trace). */
export function log(level: string, message: string): void {
  host_log(toBlock(new JsonObject().str("level", level).str("message", message).toString()));
}

/**
 * Reads a text file. The host answers errors (denied, missing, not UTF-8) with
 * `{"error": …}` in place of the content; this returns them as `error`.
 */
export function readFile(p: string): Result<string> {
  const out = blockText(host_read_file(toBlock(path(p))));
  if (out.startsWith('{"error":')) {
    const parsed = parseJson(out);
    const message = parsed !== null && parsed.isObj ? stringField(<JSON.Obj>parsed, "error") : out;
    return new Result<string>("", message.length > 0 ? message : out);
  }
  return new Result<string>(out, "");
}

/** Reads a binary file (a denial or a missing file fails the call). */
export function readBinary(p: string): Uint8Array {
  const out = parseJson(blockText(host_read_binary(toBlock(path(p)))));
  if (out === null || !out.isObj) return new Uint8Array(0);
  return decodeBase64(stringField(<JSON.Obj>out, "data"));
}

/** Every path under `prefix` ("" = the workspace), directories included. */
export function listFiles(prefix: string): string[] {
  return stringArray(blockText(host_list_files(toBlock(new JsonObject().str("prefix", prefix).toString()))));
}

/** The workspace's files reachable from its root index (empty with `error` on failure). */
export function workspaceFileSet(): Result<string[]> {
  const out = blockText(host_workspace_file_set(0));
  if (!out.startsWith("[")) return new Result<string[]>([], out);
  return new Result<string[]>(stringArray(out), "");
}

/** True when the file or folder exists. */
export function fileExists(p: string): bool {
  return blockText(host_file_exists(toBlock(path(p)))) == "true";
}

/** `{"exists", "modified_at_ms", "size_bytes"}` as JSON text. */
export function fileMetadataJson(p: string): string {
  return blockText(host_file_metadata(toBlock(path(p))));
}

/** Writes a text file; returns "" or the host's error text (a denial fails the call). */
export function writeFile(p: string, content: string): string {
  return blockText(host_write_file(toBlock(new JsonObject().str("path", p).str("content", content).toString())));
}

/** Deletes a file; returns "" or the host's error text. */
export function deleteFile(p: string): string {
  return blockText(host_delete_file(toBlock(path(p))));
}

/** Writes a binary file; returns "" or the host's error text. */
export function writeBinary(p: string, bytes: Uint8Array): string {
  return blockText(host_write_binary(toBlock(new JsonObject().str("path", p).str("content", encodeBase64(bytes)).toString())));
}

/** Emits an event (any text; JSON by convention, e.g. `{"event_type":…,"payload":…}`). */
export function emitEvent(json: string): void {
  host_emit_event(toBlock(json));
}

/** A stored value as text, or null when absent (or denied). */
export function storageGet(k: string): string | null {
  const out = parseJson(blockText(host_storage_get(toBlock(key(k)))));
  if (out === null || !out.isObj) return null;
  return String.UTF8.decode(decodeBase64(stringField(<JSON.Obj>out, "data")).buffer);
}

/** Stores text; returns "" or the host's error (denied, over the 1 MiB quota). */
export function storageSet(k: string, value: string): string {
  const data = encodeBase64(Uint8Array.wrap(String.UTF8.encode(value)));
  return blockText(host_storage_set(toBlock(new JsonObject().str("key", k).str("data", data).toString())));
}

/** A secret, or null when absent. */
export function secretGet(k: string): string | null {
  const out = parseJson(blockText(host_secret_get(toBlock(key(k)))));
  if (out === null || !out.isObj) return null;
  return stringField(<JSON.Obj>out, "value");
}

/** Stores a secret. */
export function secretSet(k: string, value: string): void {
  host_secret_set(toBlock(new JsonObject().str("key", k).str("value", value).toString()));
}

/** Deletes a secret. */
export function secretDelete(k: string): void {
  host_secret_delete(toBlock(key(k)));
}

/** Milliseconds since the Unix epoch. */
export function getTimestamp(): i64 {
  return I64.parseInt(blockText(host_get_timestamp(0)));
}

/** Local time as RFC 3339, e.g. `2024-01-15T10:30:00-07:00`. */
export function getNow(): string {
  return blockText(host_get_now(0));
}

/**
 * Sends an HTTP request. `requestJson` is `{url, method, headers, body?, body_base64?,
 * timeout_ms?}`; returns the response JSON `{status, headers, body, body_base64}`.
 */
export function httpRequestJson(requestJson: string): string {
  return blockText(host_http_request(toBlock(requestJson)));
}

/** Runs a stored WASI module; request and result as JSON text (see the protocol, §4.20). */
export function runWasiModuleJson(requestJson: string): string {
  return blockText(host_run_wasi_module(toBlock(requestJson)));
}

/** A file the host offers under `key` (a file picker, a CLI argument); empty when none. */
export function requestFile(k: string): Uint8Array {
  return blockBytes(host_request_file(toBlock(key(k))));
}

/** Calls another plugin's command; returns `{"data":…,"success":true}` or `{"error":…,"success":false}`. */
export function pluginCommandJson(pluginId: string, command: string, paramsJson: string): string {
  const request = new JsonObject().str("plugin_id", pluginId).str("command", command).raw("params", paramsJson).toString();
  return blockText(host_plugin_command(toBlock(request)));
}

/** The app's runtime context as JSON text (`{}` when there is none). */
export function getRuntimeContextJson(): string {
  return blockText(host_get_runtime_context(0));
}

/** Namespace functions: request JSON in, the host's JSON out (`{"ok":true}` or `{"error":…}`). */
export function namespacePutObjectJson(requestJson: string): string {
  return blockText(host_namespace_put_object(toBlock(requestJson)));
}
export function namespaceDeleteObjectJson(requestJson: string): string {
  return blockText(host_namespace_delete_object(toBlock(requestJson)));
}
export function namespaceListObjectsJson(requestJson: string): string {
  return blockText(host_namespace_list_objects(toBlock(requestJson)));
}
export function namespaceSyncAudienceJson(requestJson: string): string {
  return blockText(host_namespace_sync_audience(toBlock(requestJson)));
}
export function namespaceSendEmailJson(requestJson: string): string {
  return blockText(host_namespace_send_email(toBlock(requestJson)));
}

/** Sends a request to the WebSocket bridge; a bridge error fails the call. */
export function wsRequest(text: string): string {
  return blockText(host_ws_request(toBlock(text)));
}

/** SHA-256 of a file as 64 hex digits, or "" when it cannot be read. */
export function hashFile(p: string): string {
  const out = parseJson(blockText(host_hash_file(toBlock(path(p)))));
  if (out === null || !out.isObj) return "";
  return stringField(<JSON.Obj>out, "hash");
}

/** Sends a request through the Diaryx server's proxy; request and response as JSON text. */
export function proxyRequestJson(requestJson: string): string {
  return blockText(host_proxy_request(toBlock(requestJson)));
}


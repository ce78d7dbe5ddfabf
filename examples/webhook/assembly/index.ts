import {
  acceptConfig,
  commandRequest,
  config,
  emitEvent,
  err,
  guestEvent,
  httpRequestJson,
  intField,
  JsonObject,
  Manifest,
  ok,
  outputConfig,
  parseJson,
  readFile,
  secretGet,
  stringField,
} from "@diaryx/plugin-sdk-as";
import { JSON } from "assemblyscript-json/assembly";

export function manifest(): i32 {
  return new Manifest("diaryx.example.webhook", "Webhook", "0.1.0", "Posts a summary of every saved note to a webhook")
    .command("send-test")
    .capability("file_events")
    .requestPermission("read_files", "to summarise the note you saved")
    .requestPermission("http_requests", "to post to your webhook")
    .requestPermission("plugin_storage", "to read the webhook token")
    .output();
}

export function set_config(): i32 {
  return acceptConfig();
}

export function get_config(): i32 {
  return outputConfig();
}

function countWords(text: string): i32 {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c == 0x20 || (c >= 0x09 && c <= 0x0d) || c == 0xa0;
    if (space) inWord = false;
    else if (!inWord) {
      inWord = true;
      words++;
    }
  }
  return words;
}

/** Posts JSON to the configured URL; returns the HTTP status (0 = no URL configured). */
function post(bodyJson: string): i64 {
  const url = stringField(config(), "url");
  if (url.length == 0) return 0;
  const token = secretGet("webhook_token");
  let headers = new JsonObject().str("Content-Type", "application/json");
  if (token !== null) headers = headers.str("Authorization", "Bearer " + token);
  const request = new JsonObject()
    .str("url", url)
    .str("method", "POST")
    .raw("headers", headers.toString())
    .str("body", bodyJson)
    .int("timeout_ms", 10000)
    .toString();
  const response = parseJson(httpRequestJson(request));
  if (response === null || !response.isObj) return -1;
  return intField(<JSON.Obj>response, "status", -1);
}

export function on_event(): i32 {
  const event = guestEvent();
  if (event.eventType != "file_saved") return 0;
  const path = event.field("path");
  const file = readFile(path);
  const words = file.ok ? countWords(file.value) : 0;
  const status = post(new JsonObject().str("path", path).int("words", words).toString());
  if (status == 0) return 0;
  emitEvent(
    new JsonObject()
      .str("event_type", "webhook_sent")
      .raw("payload", new JsonObject().str("path", path).int("status", status).toString())
      .toString(),
  );
  return 0;
}

export function handle_command(): i32 {
  const request = commandRequest();
  if (request.command != "send-test") return err("unknown command: " + request.command);
  const status = post('{"test":true}');
  if (status == 0) return err("no webhook URL configured: set config.url", "config_error");
  return ok(new JsonObject().int("status", status).toString());
}

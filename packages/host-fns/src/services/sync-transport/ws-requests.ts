import { optBool, optStr, parseShape, str } from '../../runtime/input-schema.js';
import { decodeBase64Strict } from '../../util/base64.js';
import { errorMessage } from '../../util/error-message.js';

/** The answer of every `host_ws_request` that succeeds (§9.3). */
export const WS_OK = '{"ok":true}';

/** A `connect` request: where to connect and what the guest is told on connect. */
export interface WsConnect {
  type: 'connect';
  serverUrl: string;
  workspaceId: string;
  authToken: string | null;
  sessionCode: string | null;
  writeToDisk: boolean | null;
}

/** One `host_ws_request` request of the sync transport (§9.3). */
export type WsRequest = WsConnect | { type: 'send_binary'; data: Uint8Array } | { type: 'send_text'; text: string } | { type: 'disconnect' };

const VARIANTS = ['connect', 'send_binary', 'send_text', 'disconnect'];

/** An error of the request language; its message is what the guest's call fails with. */
export class WsRequestError extends Error {
  override readonly name = 'WsRequestError';
}

type Tagged = Exclude<WsRequest, { type: 'send_binary' }> | { type: 'send_binary'; base64: string };

function parseTagged(text: string): Tagged {
  const { type } = parseShape(text, { type: str() });
  switch (type) {
    case 'connect': {
      const c = parseShape(text, { server_url: str(), workspace_id: str(), auth_token: optStr(), session_code: optStr(), write_to_disk: optBool() });
      return { type, serverUrl: c.server_url, workspaceId: c.workspace_id, authToken: c.auth_token, sessionCode: c.session_code, writeToDisk: c.write_to_disk };
    }
    case 'send_binary':
      return { type, base64: parseShape(text, { data: str() }).data };
    case 'send_text':
      return { type, text: parseShape(text, { text: str() }).text };
    case 'disconnect':
      return { type };
    default:
      throw new Error(`unknown variant \`${type}\`, expected one of ${VARIANTS.map((v) => `\`${v}\``).join(', ')}`);
  }
}

/**
 * Parses a request as Rust's serde enum tagged by `type` (snake_case) does. A malformed request
 * fails with `Invalid ws request: <reason>`, bad base64 in `send_binary` with
 * `Invalid websocket payload: <reason>`.
 */
export function parseWsRequest(text: string): WsRequest {
  let tagged: Tagged;
  try {
    tagged = parseTagged(text);
  } catch (error) {
    throw new WsRequestError(`Invalid ws request: ${errorMessage(error)}`);
  }
  if (tagged.type !== 'send_binary') return tagged;
  try {
    return { type: 'send_binary', data: decodeBase64Strict(tagged.base64) };
  } catch (error) {
    throw new WsRequestError(`Invalid websocket payload: ${errorMessage(error)}`);
  }
}

/**
 * Rust's connection key: `trim(server_url)|trim(workspace_id)|auth_token or ""|session_code or
 * ""|0 when write_to_disk is false, else 1`. A `connect` with the key of the live connection does nothing.
 */
export function connectionKey(request: WsConnect): string {
  return [
    request.serverUrl.trim(),
    request.workspaceId.trim(),
    request.authToken ?? '',
    request.sessionCode ?? '',
    request.writeToDisk === false ? '0' : '1',
  ].join('|');
}

/**
 * The sync URL (§9.3): the server base (trimmed; trailing `/` removed; any trailing `/sync` or
 * `/sync2` removed, repeatedly) + `/sync2`, with the query `workspace_id=…`, then `&token=…` when
 * there is a token, then `&session=…` when there is a session code (form-encoded). The scheme is
 * used as given.
 * @throws TypeError when the result is not a URL
 */
export function syncUrl(request: WsConnect): string {
  let base = request.serverUrl.trim().replace(/\/+$/, '');
  for (;;) {
    const stripped = base.endsWith('/sync2') ? base.slice(0, -6) : base.endsWith('/sync') ? base.slice(0, -5) : null;
    if (stripped === null) break;
    base = stripped.replace(/\/+$/, '');
  }
  const url = new URL(`${base}/sync2`);
  const pairs = new URLSearchParams({ workspace_id: request.workspaceId });
  if (request.authToken !== null) pairs.append('token', request.authToken);
  if (request.sessionCode !== null) pairs.append('session', request.sessionCode);
  // Appended to any query the base had, as Rust's query_pairs_mut does (not re-encoding it).
  url.search = url.search === '' ? pairs.toString() : `${url.search.slice(1)}&${pairs.toString()}`;
  return url.href;
}

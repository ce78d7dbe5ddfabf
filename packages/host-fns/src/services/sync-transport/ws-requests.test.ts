import { describe, expect, it } from 'vitest';
import { connectionKey, parseWsRequest, syncUrl, type WsConnect } from './ws-requests.js';

const connect = (fields: Record<string, unknown>): WsConnect => {
  const request = parseWsRequest(JSON.stringify({ type: 'connect', server_url: 'wss://sync.test', workspace_id: 'w', ...fields }));
  if (request.type !== 'connect') throw new Error('not a connect');
  return request;
};

describe('the host_ws_request language (§9.3)', () => {
  it('§9.3 parses the four requests, tagged by type', () => {
    expect(parseWsRequest('{"type":"send_text","text":"hé"}')).toEqual({ type: 'send_text', text: 'hé' });
    expect(parseWsRequest('{"type":"send_binary","data":"AAH/"}')).toEqual({ type: 'send_binary', data: Uint8Array.from([0, 1, 255]) });
    expect(parseWsRequest('{"type":"disconnect","extra":1}')).toEqual({ type: 'disconnect' });
    expect(connect({ auth_token: 't', session_code: null, write_to_disk: false })).toEqual({
      type: 'connect',
      serverUrl: 'wss://sync.test',
      workspaceId: 'w',
      authToken: 't',
      sessionCode: null,
      writeToDisk: false,
    });
  });

  it.each([
    ['not JSON', 'connect', /^Invalid ws request: /],
    ['no type', '{"text":"x"}', /^Invalid ws request: missing field `type`$/],
    ['an unknown type', '{"type":"Connect"}', /^Invalid ws request: unknown variant `Connect`, expected one of `connect`, `send_binary`, `send_text`, `disconnect`$/],
    ['a connect without workspace_id', '{"type":"connect","server_url":"wss://x"}', /^Invalid ws request: missing field `workspace_id`$/],
    ['send_text without text', '{"type":"send_text"}', /^Invalid ws request: missing field `text`$/],
    ['a write_to_disk that is not a boolean', '{"type":"connect","server_url":"u","workspace_id":"w","write_to_disk":"no"}', /^Invalid ws request: invalid type/],
    ['bad base64 in send_binary', '{"type":"send_binary","data":"AAH"}', /^Invalid websocket payload: /],
  ])('§9.3 %s fails with Rust\'s error text', (_name, text, message) => {
    expect(() => parseWsRequest(text)).toThrow(message);
  });

  it('§9.3 the connect key: trimmed url and workspace, token, session, 0 only for write_to_disk false', () => {
    expect(connectionKey(connect({ server_url: ' wss://a ', workspace_id: ' w ' }))).toBe('wss://a|w|||1');
    expect(connectionKey(connect({ auth_token: 't', session_code: 's', write_to_disk: false }))).toBe('wss://sync.test|w|t|s|0');
    expect(connectionKey(connect({ write_to_disk: true }))).toBe(connectionKey(connect({ write_to_disk: null })));
    expect(connectionKey(connect({ auth_token: ' t ' }))).toBe('wss://sync.test|w| t ||1');
  });

  it.each([
    ['wss://sync.test', 'wss://sync.test/sync2?workspace_id=w'],
    [' wss://sync.test/ ', 'wss://sync.test/sync2?workspace_id=w'],
    ['wss://sync.test/sync', 'wss://sync.test/sync2?workspace_id=w'],
    ['wss://sync.test/sync2', 'wss://sync.test/sync2?workspace_id=w'],
    ['wss://sync.test/api/sync2/sync//', 'wss://sync.test/api/sync2?workspace_id=w'],
    ['wss://sync.test/syncer', 'wss://sync.test/syncer/sync2?workspace_id=w'],
    ['https://sync.test/base', 'https://sync.test/base/sync2?workspace_id=w'],
  ])('§9.3 the URL of server_url %j is %s (base trimmed, /sync and /sync2 removed repeatedly, scheme as given)', (serverUrl, url) => {
    expect(syncUrl(connect({ server_url: serverUrl }))).toBe(url);
  });

  it('§9.3 token and session follow workspace_id in the query, form-encoded, when present (even empty)', () => {
    expect(syncUrl(connect({ workspace_id: 'my ws/1', auth_token: 'a+b=c', session_code: 'ABC 12' }))).toBe(
      'wss://sync.test/sync2?workspace_id=my+ws%2F1&token=a%2Bb%3Dc&session=ABC+12',
    );
    expect(syncUrl(connect({ auth_token: '' }))).toBe('wss://sync.test/sync2?workspace_id=w&token=');
    expect(() => syncUrl(connect({ server_url: 'not a url' }))).toThrow(TypeError);
  });
});

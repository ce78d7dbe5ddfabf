import type { MaybePromise } from '../runtime/maybe-async.js';

/**
 * The WebSocket bridge behind `host_ws_request`: the guest's text goes in unchanged, the reply
 * text comes back. Throwing fails (traps) the guest's call with the error's message.
 */
export interface WebSocketBridge {
  request(text: string, pluginId: string): MaybePromise<string>;
}

/** The default, as in Rust: answers "" to everything. */
export const noopWebSocketBridge: WebSocketBridge = { request: () => '' };

import { rustUtf8Error } from '../util/rust-utf8-error.js';

/**
 * One action of a guest's binary action envelope (protocol §9.1, Rust
 * `binary_protocol::DecodedAction`).
 */
export type DecodedAction =
  /** Type 0: bytes to send over the WebSocket. */
  | { type: 'SendBinary'; bytes: Uint8Array }
  /** Type 1: text to send over the WebSocket. */
  | { type: 'SendText'; text: string }
  /** Type 2: an event to emit, as raw JSON bytes (not validated). */
  | { type: 'EmitEvent'; json: Uint8Array }
  /** Type 3: a workspace snapshot to download, by id. */
  | { type: 'DownloadSnapshot'; snapshotId: string };

/** An action envelope that does not decode; `message` is Rust's text. */
export class ActionEnvelopeError extends Error {
  readonly kind = 'action_envelope' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ActionEnvelopeError';
  }
}

function utf8(payload: Uint8Array, action: string): string {
  const problem = rustUtf8Error(payload);
  if (problem !== null) throw new ActionEnvelopeError(`Invalid UTF-8 in ${action}: ${problem}`);
  return new TextDecoder().decode(payload);
}

/**
 * Decodes a binary action envelope, the host side of a guest's binary export (protocol §9.1):
 * little-endian `u16 count`, then `count` times `[u8 type][u32 len][len bytes]`. Bytes after the
 * last declared action are ignored, as in Rust. Pure: the payloads are copies.
 *
 * @throws ActionEnvelopeError with Rust's message: `Buffer too short for action count`,
 *   `Unexpected end of buffer`, `Unexpected end of buffer reading payload length`,
 *   `Payload exceeds buffer`, `Invalid UTF-8 in SendText: …`, `Invalid UTF-8 in DownloadSnapshot: …`
 *   or `Unknown action type: <n>`
 * @example
 * decodeActions(new Uint8Array([1, 0, 1, 2, 0, 0, 0, 104, 105])); // [{ type: 'SendText', text: 'hi' }]
 */
export function decodeActions(data: Uint8Array): DecodedAction[] {
  if (data.length < 2) throw new ActionEnvelopeError('Buffer too short for action count');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const count = view.getUint16(0, true);
  let offset = 2;
  const actions: DecodedAction[] = [];
  for (let n = 0; n < count; n++) {
    if (offset >= data.length) throw new ActionEnvelopeError('Unexpected end of buffer');
    const type = data[offset]!;
    offset += 1;
    if (offset + 4 > data.length) throw new ActionEnvelopeError('Unexpected end of buffer reading payload length');
    const length = view.getUint32(offset, true);
    offset += 4;
    if (offset + length > data.length) throw new ActionEnvelopeError('Payload exceeds buffer');
    const payload = data.slice(offset, offset + length);
    offset += length;
    switch (type) {
      case 0:
        actions.push({ type: 'SendBinary', bytes: payload });
        break;
      case 1:
        actions.push({ type: 'SendText', text: utf8(payload, 'SendText') });
        break;
      case 2:
        actions.push({ type: 'EmitEvent', json: payload });
        break;
      case 3:
        actions.push({ type: 'DownloadSnapshot', snapshotId: utf8(payload, 'DownloadSnapshot') });
        break;
      default:
        throw new ActionEnvelopeError(`Unknown action type: ${type}`);
    }
  }
  return actions;
}

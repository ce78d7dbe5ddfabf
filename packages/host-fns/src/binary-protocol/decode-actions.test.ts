import { describe, expect, it } from 'vitest';
import { ActionEnvelopeError, decodeActions } from './decode-actions.js';

/** Builds an envelope: a u16 count, then [type][u32 length][payload] per action (little-endian). */
function envelope(count: number, ...actions: Array<[number, number[] | string]>): Uint8Array {
  const bytes = [count & 0xff, count >> 8];
  for (const [type, payload] of actions) {
    const body = typeof payload === 'string' ? [...new TextEncoder().encode(payload)] : payload;
    const n = body.length;
    bytes.push(type, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24, ...body);
  }
  return new Uint8Array(bytes);
}

const failure = (data: Uint8Array) => {
  try {
    decodeActions(data);
  } catch (error) {
    expect(error).toBeInstanceOf(ActionEnvelopeError);
    return (error as ActionEnvelopeError).message;
  }
  throw new Error('decodeActions did not fail');
};

describe('decodeActions: the four Rust unit tests (§9.1, AB-B1)', () => {
  it('decode_empty: [0,0] is no actions', () => {
    expect(decodeActions(new Uint8Array([0, 0]))).toEqual([]);
  });

  it('decode_send_binary: one SendBinary of four bytes', () => {
    expect(decodeActions(envelope(1, [0, [1, 2, 3, 4]]))).toEqual([{ type: 'SendBinary', bytes: new Uint8Array([1, 2, 3, 4]) }]);
  });

  it('decode_mixed: SendText "hi" then DownloadSnapshot "ws-1"', () => {
    expect(decodeActions(envelope(2, [1, 'hi'], [3, 'ws-1']))).toEqual([
      { type: 'SendText', text: 'hi' },
      { type: 'DownloadSnapshot', snapshotId: 'ws-1' },
    ]);
  });

  it('decode_truncated: a count of one with no action data fails', () => {
    expect(failure(new Uint8Array([1, 0]))).toBe('Unexpected end of buffer');
  });
});

describe('decodeActions: error texts and trailing bytes (§9.1, AB-B1)', () => {
  it.each([
    ['no bytes', [], 'Buffer too short for action count'],
    ['one byte', [1], 'Buffer too short for action count'],
    ['no type byte for the second action', [...envelope(2, [0, [9]])], 'Unexpected end of buffer'],
    ['a type but no length', [1, 0, 0], 'Unexpected end of buffer reading payload length'],
    ['a type and three length bytes', [1, 0, 0, 1, 0, 0], 'Unexpected end of buffer reading payload length'],
    ['a payload one byte short', [...envelope(1, [0, [1, 2, 3]])].slice(0, -1), 'Payload exceeds buffer'],
    ['a length of 2^32 - 1', [1, 0, 0, 0xff, 0xff, 0xff, 0xff, 1], 'Payload exceeds buffer'],
    ['type 4', [...envelope(1, [4, []])], 'Unknown action type: 4'],
    ['type 255', [...envelope(1, [255, [1]])], 'Unknown action type: 255'],
    ['SendText with a stray continuation byte', [...envelope(1, [1, [0x68, 0x80]])], 'Invalid UTF-8 in SendText: invalid utf-8 sequence of 1 bytes from index 1'],
    ['SendText cut inside a sequence', [...envelope(1, [1, [0x61, 0xe2, 0x82]])], 'Invalid UTF-8 in SendText: incomplete utf-8 byte sequence from index 1'],
    ['SendText with a surrogate', [...envelope(1, [1, [0xed, 0xa0, 0x80]])], 'Invalid UTF-8 in SendText: invalid utf-8 sequence of 1 bytes from index 0'],
    ['SendText with a bad third byte', [...envelope(1, [1, [0xe2, 0x82, 0x41]])], 'Invalid UTF-8 in SendText: invalid utf-8 sequence of 2 bytes from index 0'],
    ['DownloadSnapshot with an overlong', [...envelope(1, [3, [0xc0, 0xaf]])], 'Invalid UTF-8 in DownloadSnapshot: invalid utf-8 sequence of 1 bytes from index 0'],
  ])('%s → %j', (_, bytes, message) => {
    expect(failure(new Uint8Array(bytes))).toBe(message);
  });

  it('checks the payload bounds before the type, as Rust does', () => {
    expect(failure(new Uint8Array([1, 0, 9, 5, 0, 0, 0]))).toBe('Payload exceeds buffer');
  });

  it('ignores bytes after the last declared action, and a count of zero ignores everything', () => {
    expect(decodeActions(new Uint8Array([...envelope(1, [2, '{"a":1}']), 0xff, 0xff, 0xff]))).toEqual([
      { type: 'EmitEvent', json: new TextEncoder().encode('{"a":1}') },
    ]);
    expect(decodeActions(new Uint8Array([0, 0, 7, 7, 7]))).toEqual([]);
  });

  it('keeps EmitEvent payloads raw (not validated) and empty payloads empty', () => {
    expect(decodeActions(envelope(3, [2, [0xff, 0x00]], [0, []], [1, '']))).toEqual([
      { type: 'EmitEvent', json: new Uint8Array([0xff, 0x00]) },
      { type: 'SendBinary', bytes: new Uint8Array([]) },
      { type: 'SendText', text: '' },
    ]);
  });

  it('reads a view into a larger buffer at its own offset and returns copies', () => {
    const backing = new Uint8Array([9, 9, ...envelope(1, [0, [5, 6]])]);
    const view = backing.subarray(2);
    const [action] = decodeActions(view);
    expect(action).toEqual({ type: 'SendBinary', bytes: new Uint8Array([5, 6]) });
    backing[backing.length - 1] = 0;
    expect(action).toEqual({ type: 'SendBinary', bytes: new Uint8Array([5, 6]) });
  });

  it('decodes a count above 255 (little-endian u16)', () => {
    const actions = Array.from({ length: 300 }, () => [0, [1]] as [number, number[]]);
    expect(decodeActions(envelope(300, ...actions))).toHaveLength(300);
  });
});

import { describe, expect, it } from 'vitest';
import { parseCommandResponse } from './command-response.js';

describe('parseCommandResponse (AB-P7)', () => {
  it('keeps data, error and error_code; null data is absent', () => {
    expect(parseCommandResponse('{"success":true,"data":{"n":1}}')).toEqual({ success: true, data: { n: 1 } });
    expect(parseCommandResponse('{"success":true,"data":null,"error":null}')).toEqual({ success: true });
    expect(parseCommandResponse('{"success":false,"error":"no","error_code":"permission_denied"}')).toEqual({
      success: false,
      error: 'no',
      error_code: 'permission_denied',
    });
  });

  it.each(['', 'nope', '[]', '{}', '{"success":"yes"}', '{"success":true,"error":3}'])('rejects %j', (text) => {
    expect(() => parseCommandResponse(text)).toThrow();
  });
});

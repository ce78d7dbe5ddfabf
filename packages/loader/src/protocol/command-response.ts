import { ProtocolShapeError } from './manifest-parse.js';
import { nestingDepth, SERDE_JSON_MAX_NESTING } from './strict-json.js';
import type { CommandResponse } from './types.js';

/**
 * Parses a guest's `handle_command` output (§3.6): `success` is a required boolean; `data` any
 * JSON nested no deeper than serde_json allows; `error` and `error_code` optional strings.
 * @throws SyntaxError or ProtocolShapeError
 */
export function parseCommandResponse(text: string): CommandResponse {
  const value: unknown = JSON.parse(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ProtocolShapeError('command response: expected a JSON object');
  }
  const obj = value as Record<string, unknown>;
  if (typeof obj['success'] !== 'boolean') {
    throw new ProtocolShapeError('command response: `success` must be a boolean');
  }
  const response: CommandResponse = { success: obj['success'] };
  if (obj['data'] !== undefined && obj['data'] !== null) {
    // The response object is one level; serde_json's limit counts it (§3.1, issue 15.18).
    if (1 + nestingDepth(obj['data']) > SERDE_JSON_MAX_NESTING) {
      throw new ProtocolShapeError(
        `command response: recursion limit exceeded (\`data\` nests arrays and objects deeper than serde_json's ${SERDE_JSON_MAX_NESTING} levels)`,
      );
    }
    response.data = obj['data'];
  }
  for (const key of ['error', 'error_code'] as const) {
    const field = obj[key];
    if (field === undefined || field === null) continue;
    if (typeof field !== 'string') throw new ProtocolShapeError(`command response: \`${key}\` must be a string`);
    response[key] = field;
  }
  return response;
}

import { PERMISSION_KEYS } from '@diaryx/host-fns';
import { ProtocolShapeError } from './manifest-parse.js';
import { findLoneSurrogate, type JsonPath, nestingDepth, scanJsonText, SERDE_JSON_MAX_NESTING } from './strict-json.js';

// What serde_json refuses in a guest manifest and JSON.parse accepts (issue 15.20; the issue
// overrides §3.1's "harmless deviation" notes): duplicate fields of a struct, a float for an
// integer field, lone surrogates, nesting past the recursion limit (15.18).

const MANIFEST_FIELDS = [
  'protocol_version', 'id', 'name', 'version', 'description', 'capabilities', 'ui', 'commands',
  'cli', 'requested_permissions', 'min_app_version', 'server_functions', 'conversions',
];

/** The struct-shaped objects of a manifest and their fields (serde checks duplicates there only). */
function structFields(path: JsonPath): readonly string[] | null {
  const [first, second, third] = path;
  if (path.length === 0) return MANIFEST_FIELDS;
  if (first === 'requested_permissions') {
    if (path.length === 1) return ['defaults', 'reasons'];
    if (second === 'defaults' && path.length === 2) return PERMISSION_KEYS;
    if (second === 'defaults' && path.length === 3 && (PERMISSION_KEYS as readonly unknown[]).includes(third)) return ['include', 'exclude'];
  }
  if (first === 'server_functions' && path.length === 2 && typeof second === 'number') return ['name', 'method', 'path', 'description'];
  return null;
}

function where(path: JsonPath): string {
  return ['manifest', ...path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))].join('').replace(/\.\[/g, '[');
}

/**
 * Checks manifest text that `JSON.parse` accepted for what serde_json would refuse in its text:
 * a duplicate field of a struct (`duplicate field \`id\``) and a float for `protocol_version`.
 * @throws ProtocolShapeError
 */
export function checkManifestText(text: string): void {
  const seen = new Map<number, Set<string>>();
  scanJsonText(
    text,
    {
      key(objectPath, key, objectId) {
        const fields = structFields(objectPath);
        if (!fields?.includes(key)) return;
        const keys = seen.get(objectId) ?? new Set<string>();
        if (keys.has(key)) throw new ProtocolShapeError(`${where(objectPath)}: duplicate field \`${key}\``);
        seen.set(objectId, keys.add(key));
      },
      number(path, raw) {
        if (path.length === 1 && path[0] === 'protocol_version' && /[.eE]/.test(raw)) {
          throw new ProtocolShapeError(`manifest.protocol_version: invalid type: floating point \`${raw}\`, expected u32`);
        }
      },
    },
    4,
  );
}

/**
 * Checks the parsed manifest (what the kit keeps) as serde_json would have: no lone surrogate in
 * any string or key, and no nesting past serde_json's recursion limit.
 * @throws ProtocolShapeError
 */
export function checkManifestValue(manifest: object): void {
  const lone = findLoneSurrogate(manifest);
  if (lone !== null) {
    throw new ProtocolShapeError(`manifest: the string ${JSON.stringify(lone)} holds a lone surrogate (\\uD800–\\uDFFF escape without its pair), which is not Unicode`);
  }
  if (nestingDepth(manifest) > SERDE_JSON_MAX_NESTING) {
    throw new ProtocolShapeError(
      `manifest: recursion limit exceeded (arrays and objects nested deeper than ${SERDE_JSON_MAX_NESTING} levels, serde_json's limit)`,
    );
  }
}

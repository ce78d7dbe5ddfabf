import { sortKeys } from '@diaryx/host-fns';
import { describe, expect, it } from 'vitest';
import { parseGuestManifest, serializeManifest } from './manifest-parse.js';

const minimal = {
  id: 'acme.wordcount',
  name: 'Word Count',
  version: '0.1.0',
  description: 'Counts words',
  capabilities: ['custom_commands'],
  commands: ['count'],
};

describe('parseGuestManifest (serde rules, §3.1–3.2)', () => {
  it('fills defaults: protocol_version 1, empty lists, requested_permissions null, no min_app_version', () => {
    const m = parseGuestManifest(JSON.stringify(minimal));
    expect(m).toEqual({
      protocol_version: 1,
      ...minimal,
      ui: [],
      cli: [],
      requested_permissions: null,
      conversions: [],
    });
    expect('min_app_version' in m).toBe(false);
    expect('server_functions' in m).toBe(false);
  });

  it('ignores unknown fields', () => {
    expect(parseGuestManifest(JSON.stringify({ ...minimal, extra: { a: 1 } })).id).toBe('acme.wordcount');
  });

  it.each([
    ['missing name', { ...minimal, name: undefined }],
    ['missing capabilities', { ...minimal, capabilities: undefined }],
    ['null capabilities', { ...minimal, capabilities: null }],
    ['null ui', { ...minimal, ui: null }],
    ['null commands', { ...minimal, commands: null }],
    ['number id', { ...minimal, id: 7 }],
    ['string ui', { ...minimal, ui: 'x' }],
    ['negative protocol_version', { ...minimal, protocol_version: -1 }],
    ['float protocol_version', { ...minimal, protocol_version: 1.5 }],
    ['string include in requested_permissions', { ...minimal, requested_permissions: { defaults: { read_files: { include: 'all' } } } }],
    ['non-string reason', { ...minimal, requested_permissions: { reasons: { read_files: 3 } } }],
    ['incomplete server function', { ...minimal, server_functions: [{ name: 'f', method: 'GET', path: '/x' }] }],
  ])('rejects %s', (_label, value) => {
    expect(() => parseGuestManifest(JSON.stringify(value))).toThrow();
  });

  it('rejects text that is not JSON', () => {
    expect(() => parseGuestManifest('not json')).toThrow(SyntaxError);
  });

  it('parses requested_permissions, filling exclude and dropping unknown permission keys', () => {
    const m = parseGuestManifest(
      JSON.stringify({
        ...minimal,
        requested_permissions: { defaults: { read_files: { include: ['all'] }, teleport: { include: ['all'] } }, reasons: { read_files: 'to count' } },
      }),
    );
    expect(m.requested_permissions).toEqual({
      defaults: { read_files: { include: ['all'], exclude: [] } },
      reasons: { read_files: 'to count' },
    });
  });

  it('round-trips server_functions', () => {
    const sf = [{ name: 'f', method: 'GET', path: '/x/{id}', description: 'd' }];
    expect(parseGuestManifest(JSON.stringify({ ...minimal, server_functions: sf })).server_functions).toEqual(sf);
  });
});

describe('serializeManifest: the manifest.json text (AB-P5)', () => {
  it('matches the Rust cache byte for byte: field order, null permissions, omitted fields, no trailing newline', () => {
    const text = serializeManifest(parseGuestManifest(JSON.stringify(minimal)), sortKeys);
    expect(text).toBe(`{
  "protocol_version": 1,
  "id": "acme.wordcount",
  "name": "Word Count",
  "version": "0.1.0",
  "description": "Counts words",
  "capabilities": [
    "custom_commands"
  ],
  "ui": [],
  "commands": [
    "count"
  ],
  "cli": [],
  "requested_permissions": null,
  "conversions": []
}`);
  });

  it('writes min_app_version and server_functions after conversions, and sorts keys inside ui', () => {
    const text = serializeManifest(
      parseGuestManifest(
        JSON.stringify({
          ...minimal,
          min_app_version: '1.2.0',
          ui: [{ slot: 'CommandPaletteItem', plugin_command: 'count', id: 'wc', label: 'Count' }],
          server_functions: [{ description: 'd', path: '/p', method: 'GET', name: 'f' }],
        }),
      ),
      sortKeys,
    );
    const keys = Object.keys(JSON.parse(text) as object);
    expect(keys.slice(-3)).toEqual(['conversions', 'min_app_version', 'server_functions']);
    expect(text).toContain('"id": "wc",\n      "label": "Count",\n      "plugin_command": "count",\n      "slot"');
    expect(text).toContain('"name": "f",\n      "method": "GET",\n      "path": "/p",\n      "description": "d"');
  });
});

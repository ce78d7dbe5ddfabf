import { compileWat, guestWat, hostileModules } from '@diaryx/test-utils';
import { describe, expect, it } from 'vitest';
import { inspectManifest } from './core.js';
import { manifestJson } from './test-support/fixtures.js';

describe('inspectManifest (the portable entry): what a plugin asks for, before it is installed', () => {
  it('gives the manifest, the requested permissions with their reasons, and what would keep it from loading, without running anything else', async () => {
    const requested = { defaults: { read_files: { include: ['all'], exclude: [] } }, reasons: { read_files: 'to count words' } };
    const bytes = await compileWat(guestWat({ manifest: manifestJson({ id: 'acme.counter', requested_permissions: requested, min_app_version: '9.0.0' }) }));
    const inspection = await inspectManifest(bytes, { name: 'counter' });
    expect(inspection).toMatchObject({
      manifest: { id: 'acme.counter', name: 'Test Plugin' },
      coreManifest: { id: 'acme.counter' },
      requestedPermissions: requested.defaults,
      permissionReasons: requested.reasons,
      incompatibility: { kind: 'app_version_too_old', details: { required: '9.0.0', running: '1.4.1' } },
      warnings: [],
    });
    expect((await inspectManifest(await compileWat(guestWat({ manifest: manifestJson() })))).incompatibility).toBeNull();
    await expect(inspectManifest(await hostileModules.manifestNotJson())).rejects.toMatchObject({ kind: 'manifest_parse' });
  });
});

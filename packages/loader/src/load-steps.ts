import { decodeUtf8Lossy, type HostContext, lockPluginId } from '@diaryx/host-fns';
import { PluginLoadError, toError } from './errors.js';
import { parseGuestManifest } from './protocol/manifest-parse.js';
import { isValidPluginId, PLUGIN_ID_RULE } from './protocol/plugin-id.js';
import type { GuestManifest } from './protocol/types.js';
import {
  appVersionSatisfies,
  CURRENT_PROTOCOL_VERSION,
  MIN_SUPPORTED_PROTOCOL_VERSION,
} from './protocol/versions.js';
import type { ResolvedLoaderOptions } from './options.js';
import type { ModuleSource } from './runtime/compile-module.js';
import { ownedBytes } from './runtime/sdk-plugin.js';
import { instantiateGuest, type InstantiatedGuest } from './runtime/instantiate.js';

/** Calls the guest's `manifest` export and parses it (§7.3 step 2). */
export async function callGuestManifest(
  guest: InstantiatedGuest,
  name: string,
  timeoutMs: number | null,
): Promise<GuestManifest> {
  if (!guest.exports.has('manifest')) {
    throw new PluginLoadError(
      'manifest_call',
      name,
      `Failed to get manifest from plugin '${name}': the module has no \`manifest\` export (every Diaryx plugin must export one)`,
      { details: { problem: 'the module has no `manifest` export' } },
    );
  }
  let output: Uint8Array | null;
  try {
    output = ownedBytes(await guest.instance.call('manifest', '', { timeoutMs }));
    if (guest.state.pendingTrap !== null) throw new Error(guest.state.pendingTrap);
  } catch (error) {
    const cause = toError(error);
    throw new PluginLoadError('manifest_call', name, `Failed to get manifest from plugin '${name}': ${cause.message}`, {
      cause,
      details: { problem: cause.message },
    });
  } finally {
    guest.state.pendingTrap = null;
  }
  return parseManifestText(output === null ? '' : decodeUtf8Lossy(output), name);
}

/** Parses manifest text; failure → `manifest_parse`. */
export function parseManifestText(text: string, name: string, source = 'plugin'): GuestManifest {
  try {
    return parseGuestManifest(text);
  } catch (error) {
    const cause = toError(error);
    throw new PluginLoadError(
      'manifest_parse',
      name,
      `Failed to parse manifest from ${source} '${name}': ${cause.message}`,
      { cause, details: { problem: cause.message, source: 'plugin' } },
    );
  }
}

/** The protocol and app-version problem of a manifest, or null (protocol first, as in Rust). */
export function versionProblem(manifest: GuestManifest, name: string, appVersion: string): PluginLoadError | null {
  const version = manifest.protocol_version;
  if (version < MIN_SUPPORTED_PROTOCOL_VERSION || version > CURRENT_PROTOCOL_VERSION) {
    return new PluginLoadError(
      'protocol_mismatch',
      name,
      `Protocol version mismatch for plugin '${name}': guest has v${version}, host supports ` +
        `v${MIN_SUPPORTED_PROTOCOL_VERSION}..=v${CURRENT_PROTOCOL_VERSION}`,
      { details: { guestVersion: version, min: MIN_SUPPORTED_PROTOCOL_VERSION, max: CURRENT_PROTOCOL_VERSION } },
    );
  }
  const required = manifest.min_app_version;
  if (required !== undefined && !appVersionSatisfies(required, appVersion)) {
    return new PluginLoadError(
      'app_version_too_old',
      name,
      `Plugin '${name}' requires Diaryx v${required} or later, but this is v${appVersion}`,
      { details: { required, running: appVersion } },
    );
  }
  return null;
}

/** The id problem of a manifest (kit decision D17), or null. */
export function idProblem(manifest: GuestManifest, name: string): PluginLoadError | null {
  if (isValidPluginId(manifest.id)) return null;
  return new PluginLoadError(
    'invalid_id',
    name,
    `Plugin '${name}' declares the id ${JSON.stringify(manifest.id)}, which is not a valid plugin id: ${PLUGIN_ID_RULE} ` +
      '(storage, secrets and permissions are keyed by it). Change the `id` in the plugin\'s manifest.',
    { details: { id: manifest.id } },
  );
}

/** Throws the id problem, then the version problem, if any (checked before the id is locked). */
export function validateManifest(manifest: GuestManifest, name: string, appVersion: string): void {
  const problem = idProblem(manifest, name) ?? versionProblem(manifest, name, appVersion);
  if (problem) throw problem;
}

/**
 * The steps every load shares: instantiate, call `manifest`, validate the id and versions, lock the id.
 * On failure the instance is closed.
 */
export async function startGuest(
  source: ModuleSource,
  name: string,
  host: HostContext,
  options: ResolvedLoaderOptions,
): Promise<{ guest: InstantiatedGuest; manifest: GuestManifest }> {
  const guest = await instantiateGuest(source, name, host, options);
  try {
    const manifest = await callGuestManifest(guest, name, options.manifestTimeoutMs);
    validateManifest(manifest, name, options.appVersion);
    lockPluginId(guest.state, manifest.id);
    return { guest, manifest };
  } catch (error) {
    await guest.instance.close().catch(() => undefined);
    throw error;
  }
}

import type { PluginPermissions } from '@diaryx/host-fns';
import type { PluginLoadError } from './errors.js';
import type { LoaderOptions } from './options.js';
import { toCoreManifest } from './protocol/core-manifest.js';
import { readGuestManifest } from './protocol/inspect-manifest.js';
import type { GuestManifest, PluginManifest } from './protocol/types.js';
import { bytesSource } from './runtime/compile-module.js';

/** What {@link inspectManifest} finds in a plugin: what an app shows before installing it. */
export interface ManifestInspection {
  /** The manifest as the plugin declares it. */
  manifest: GuestManifest;
  /** The manifest as the app sees it once loaded (capabilities mapped, UI elements typed; invalid ones dropped, see `warnings`). */
  coreManifest: PluginManifest;
  /** The permissions the plugin asks for by default (`requested_permissions.defaults`; `{}` when none). */
  requestedPermissions: PluginPermissions;
  /** Why, per permission key, as the plugin says. */
  permissionReasons: Readonly<Record<string, string>>;
  /**
   * Why this app would refuse to load it (an invalid id, another protocol version, a newer
   * `min_app_version`: `invalid_id`, `protocol_mismatch` or `app_version_too_old`), or null.
   */
  incompatibility: PluginLoadError | null;
  /** What the core manifest dropped or did not know (UI or CLI elements, capabilities). */
  warnings: readonly string[];
}

/**
 * Reads a plugin's manifest from its bytes, in any runtime (a web page included), to show it
 * before it is installed: its name and description, the permissions it asks for and why, its
 * UI, and whether this app can load it. The plugin runs only its `manifest` export, with every
 * host function refused; nothing is written.
 *
 * @example
 * const { manifest, requestedPermissions, incompatibility } = await inspectManifest(bytes);
 * if (incompatibility) showError(incompatibility.userMessage);
 * @throws PluginLoadError `plugin_create`, `manifest_call` or `manifest_parse` when the manifest cannot be read
 */
export async function inspectManifest(wasm: Uint8Array, options: LoaderOptions & { name?: string } = {}): Promise<ManifestInspection> {
  const { manifest, problems } = await readGuestManifest((budget) => bytesSource(wasm, budget), options.name ?? 'plugin', options);
  const core = toCoreManifest(manifest);
  return {
    manifest,
    coreManifest: core.manifest,
    requestedPermissions: manifest.requested_permissions?.defaults ?? {},
    permissionReasons: manifest.requested_permissions?.reasons ?? {},
    incompatibility: problems[0] ?? null,
    warnings: core.warnings,
  };
}

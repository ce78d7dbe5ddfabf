import {
  appVersionSatisfies,
  checkManifestElements,
  CURRENT_PROTOCOL_VERSION,
  DEFAULT_APP_VERSION,
  type GuestManifest,
  inspectPluginWasmManifest,
  isValidPluginId,
  MIN_SUPPORTED_PROTOCOL_VERSION,
  PLUGIN_ID_RULE,
  type ManifestElementProblem,
} from '@diaryx/loader';
import { moduleInfo, type ModuleInfo, resolveWasmPath } from './module-info.js';
import { summarizeUiElement } from './ui-summary.js';

/** What `diaryx-plugin inspect` reports. */
export interface InspectReport extends ModuleInfo {
  wasmPath: string;
  manifest: GuestManifest;
  /**
   * Problems that would stop Diaryx from loading it, or from showing one of its ui or cli
   * elements (the loader drops those); empty when compatible.
   */
  compatibility: string[];
  /** One line per UI contribution (`SettingsTab 'sync' "Sync" fields: Text server, Toggle auto`). */
  ui: string[];
  /** The ui and cli elements the target Diaryx would drop (errors) or does not know the slot of (warnings). */
  elementProblems: ManifestElementProblem[];
}

/**
 * Reads a plugin's manifest (with every host function registered and a deny-all host, as Rust's
 * inspect does) and what its module exports and imports.
 * @throws PluginLoadError when the plugin cannot be instantiated or has no valid manifest
 */
export async function inspectPlugin(path: string, appVersion = DEFAULT_APP_VERSION): Promise<InspectReport> {
  const wasmPath = await resolveWasmPath(path);
  const info = await moduleInfo(wasmPath);
  const manifest = await inspectPluginWasmManifest(wasmPath, { manifestTimeoutMs: 5_000 });
  const compatibility: string[] = [];
  if (!isValidPluginId(manifest.id)) compatibility.push(`the id ${JSON.stringify(manifest.id)} is not valid: ${PLUGIN_ID_RULE}`);
  const v = manifest.protocol_version;
  if (v < MIN_SUPPORTED_PROTOCOL_VERSION || v > CURRENT_PROTOCOL_VERSION) {
    compatibility.push(`protocol v${v} is not supported (this host speaks v${MIN_SUPPORTED_PROTOCOL_VERSION}..=v${CURRENT_PROTOCOL_VERSION})`);
  }
  if (manifest.min_app_version !== undefined && !appVersionSatisfies(manifest.min_app_version, appVersion)) {
    compatibility.push(`requires Diaryx v${manifest.min_app_version} or later (checked against v${appVersion})`);
  }
  for (const name of info.unknownImports) compatibility.push(`imports ${name}, which no Diaryx host provides`);
  const elementProblems = checkManifestElements(manifest, appVersion);
  for (const problem of elementProblems) if (problem.severity === 'error') compatibility.push(problem.message);
  return { wasmPath, manifest, compatibility, ui: manifest.ui.map(summarizeUiElement), elementProblems, ...info };
}

// The manifest's `ui` and `cli` elements judged before shipping: what the loader would drop when
// it builds the core manifest (toCoreManifest), said as an error naming the element and the field,
// and a slot the target Diaryx does not know as a warning naming the slot. The build commands
// (`diaryx-js build`, `diaryx-as build`) and `diaryx-plugin check` use it; it reads each element
// with the same readers as the loader, so the three can never disagree.
import { elementLabel } from './core-manifest.js';
import { ElementFieldError } from './element-schema.js';
import { KNOWN_UI_SLOTS, readCliCommand, readUiContribution } from './ui-elements.js';
import { DEFAULT_APP_VERSION } from './versions.js';

/** One problem of a `ui` or `cli` element. */
export interface ManifestElementProblem {
  /** `error`: the loader drops the element (a missing label, a field type that does not exist, a wrong-typed value); `warning`: a slot the target Diaryx does not know (it drops the element, a later Diaryx may show it). */
  severity: 'error' | 'warning';
  /** `ui[2] (SettingsTab 'sync')`, `cli[0] (export)`. */
  element: string;
  /** The field's path inside the element (`fields[1].type`), or null when the problem is the element itself or its slot. */
  field: string | null;
  /** The whole line: the element, the field and what is wrong, with the fix where there is one. */
  message: string;
}

/**
 * The `ui` and `cli` elements of a manifest that Diaryx `appVersion` (default 1.4.1, the version
 * the kit's loader implements) would not show: an element the loader drops is an error naming the
 * element and the field; an element of a slot the target does not know is a warning naming the slot.
 * `manifest` is any JSON (a manifest as the plugin wrote it); what is not a list is skipped.
 *
 * @example
 * checkManifestElements({ ui: [{ slot: 'SettingsTab', id: 's', label: 'S', fields: [{ type: 'TextInput', key: 'k', label: 'K' }] }] });
 * // → [{ severity: 'error', element: "ui[0] (SettingsTab 's')", field: 'fields[0].type', message: "ui[0] (SettingsTab 's'): field fields[0].type: unknown variant `TextInput`, …" }]
 */
export function checkManifestElements(manifest: { ui?: unknown; cli?: unknown }, appVersion: string = DEFAULT_APP_VERSION): ManifestElementProblem[] {
  const problems: ManifestElementProblem[] = [];
  const target = appVersion === DEFAULT_APP_VERSION ? `Diaryx ${appVersion}` : `Diaryx ${appVersion} (judged by the ${DEFAULT_APP_VERSION} element schema the kit's loader implements)`;
  const read = (kind: 'ui' | 'cli', elements: unknown, reader: (value: unknown, path: string) => unknown) => {
    if (!Array.isArray(elements)) return;
    elements.forEach((element, index) => {
      const label = elementLabel(kind, index, element);
      if (kind === 'ui' && element !== null && typeof element === 'object' && !Array.isArray(element)) {
        const slot = (element as Record<string, unknown>)['slot'];
        if (typeof slot === 'string' && !(KNOWN_UI_SLOTS as readonly string[]).includes(slot)) {
          problems.push({
            severity: 'warning',
            element: label,
            field: null,
            message: `${label}: the slot \`${slot}\` is not known to ${target}, which drops the element (known slots: ${KNOWN_UI_SLOTS.join(', ')}); keep it only for a later Diaryx that has it`,
          });
          return;
        }
      }
      try {
        reader(element, '');
      } catch (error) {
        if (!(error instanceof ElementFieldError)) throw error;
        problems.push({ severity: 'error', element: label, field: error.field === '' ? null : error.field, message: `${label}: ${error.message}; ${target} drops this element` });
      }
    });
  };
  read('ui', manifest.ui, readUiContribution);
  read('cli', manifest.cli, readCliCommand);
  return problems;
}

import type { GuestManifestInput } from '@diaryx/loader';

/**
 * The manifest a plugin returns from its `manifest` export (protocol §3.2), typed from the
 * loader's own protocol types: `ui` elements by slot and field type, `cli` commands, requested
 * permissions by key. A slot, field type or field name the loader does not know is a type error;
 * `diaryx-js build` checks the built manifest again (an element the loader would drop fails the build).
 */
export type GuestManifest = GuestManifestInput;

export type {
  CliArgInput,
  CliCommandInput,
  ComponentRefInput,
  KnownCapability,
  PermissionRuleInput,
  SettingsFieldInput,
  UiContributionInput,
} from '@diaryx/loader';

/** The input of `handle_command`. */
export interface CommandRequest<Params = unknown> {
  command: string;
  params: Params;
}

/** The output of `handle_command`. */
export interface CommandResponse {
  success: boolean;
  data?: unknown;
  error?: string;
  error_code?: string;
}

/** The input of `on_event`. */
export interface GuestEvent<Payload = Record<string, unknown>> {
  event_type: string;
  payload: Payload;
}

function inputJson(): unknown {
  const text = Host.inputString();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Writes a manifest as the export's output (the protocol version defaults to 1, the current one); returns 0. */
export function outputManifest(manifest: GuestManifest): number {
  Host.outputString(JSON.stringify({ protocol_version: 1, commands: [], ...manifest }));
  return 0;
}

/** The current `handle_command` input (`command` "" when the input is not a request). */
export function commandRequest<Params = Record<string, unknown>>(): CommandRequest<Params | null> {
  const input = inputJson();
  if (!isObject(input)) return { command: '', params: null };
  return { command: typeof input.command === 'string' ? input.command : '', params: (input.params ?? null) as Params | null };
}

/** The current `on_event` input (`event_type` "" when the input is not an event). */
export function guestEvent<Payload = Record<string, unknown>>(): GuestEvent<Partial<Payload>> {
  const input = inputJson();
  if (!isObject(input)) return { event_type: '', payload: {} };
  return {
    event_type: typeof input.event_type === 'string' ? input.event_type : '',
    payload: (isObject(input.payload) ? input.payload : {}) as Partial<Payload>,
  };
}

/** Answers `{"success":true,"data":…}`; returns 0 for the export to return. */
export function ok(data: unknown = null): number {
  Host.outputString(JSON.stringify({ success: true, data }));
  return 0;
}

/** Answers `{"success":false,"error":…}` (with `error_code` when given); returns 0. */
export function err(message: string, code?: string): number {
  Host.outputString(JSON.stringify(code === undefined ? { success: false, error: message } : { success: false, error: message, error_code: code }));
  return 0;
}
